package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.aksrouteguard.infra.BicepText.Arr;
import dev.aksrouteguard.infra.BicepText.Declaration;
import dev.aksrouteguard.infra.BicepText.Expr;
import dev.aksrouteguard.infra.BicepText.Obj;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Teams webhook's Key Vault access, in both forms: the role on the one secret (not on a vault other secrets may
 * share), given before the app settings whose Key Vault reference needs it, and the secret checked to be in that vault.
 */
class KeyVaultAccessTest {

    static final Path ROOT = InfraModel.repoRoot();

    static BicepText bicep(String file) throws IOException {
        return BicepText.parse(file, Files.readString(ROOT.resolve(file)));
    }

    static JsonObject terraformResource(TerraformJson tf, String type, String name) {
        return tf.root().getAsJsonObject("resource").getAsJsonObject(type).getAsJsonArray(name).get(0).getAsJsonObject();
    }

    @Test
    void bicepGivesTheRoleOnTheSecretItself() throws IOException {
        BicepText access = bicep("infra/modules/keyvaultaccess.bicep");
        Declaration secret = access.resources("Microsoft.KeyVault/vaults/secrets").get(0);
        assertTrue(secret.existing(), "the secret is the customer's: referenced, never written");
        assertEquals(new Expr("vault"), ((Obj) secret.value()).entries().get("parent"));
        Declaration assignment = access.resources("Microsoft.Authorization/roleAssignments").get(0);
        assertEquals(new Expr(secret.name()), ((Obj) assignment.value()).entries().get("scope"), "scoped to the secret");
    }

    @Test
    void bicepDeploysTheAppAfterTheRoleAndChecksTheSecretIsInThatVault() throws IOException {
        BicepText main = bicep("infra/main.bicep");
        Obj app = (Obj) main.find("module", "functionApp").orElseThrow().value();
        assertTrue(app.entries().get("dependsOn") instanceof Arr a && a.items().contains(new Expr("keyVaultAccess")),
                "the app settings go live after the role: " + app.entries().get("dependsOn"));
        String secretName = main.find("var", "teamsWebhookSecretName").orElseThrow().value().toString();
        assertTrue(secretName.contains("fail('teamsWebhookKeyVaultId needs teamsWebhookSecretUri"), secretName);
        assertTrue(secretName.contains("toLower(split(teamsWebhookSecretUriParts[2], '.')[0]) != toLower(last(keyVaultIdParts))"),
                "the vault in the secret's URI is the vault given: " + secretName);
        Obj access = (Obj) main.find("module", "keyVaultAccess").orElseThrow().value();
        assertEquals(new Expr("teamsWebhookSecretName"), ((Obj) access.entries().get("params")).entries().get("secretName"));
    }

    @Test
    void terraformGivesTheRoleOnTheSecretAndDeploysTheAppAfterIt() {
        TerraformJson tf = TerraformJson.read(ROOT, ROOT.resolve("infra/terraform"));
        JsonObject role = terraformResource(tf, "azurerm_role_assignment", "key_vault_secrets_user");
        assertEquals("${var.teams_webhook_key_vault_id}/secrets/${element(split(\"/\", var.teams_webhook_secret_uri), 4)}",
                role.get("scope").getAsString());
        JsonArray dependsOn = terraformResource(tf, "azapi_resource", "function_app").getAsJsonArray("depends_on");
        assertTrue(dependsOn.toString().contains("azurerm_role_assignment.key_vault_secrets_user"), dependsOn.toString());
        JsonObject variable = tf.root().getAsJsonObject("variable").getAsJsonArray("teams_webhook_key_vault_id").get(0).getAsJsonObject();
        String condition = variable.getAsJsonArray("validation").get(0).getAsJsonObject().get("condition").getAsString();
        assertTrue(condition.contains("var.teams_webhook_secret_uri") && condition.contains("var.teams_webhook_key_vault_id"),
                "the secret is checked to be in the vault: " + condition);
    }
}
