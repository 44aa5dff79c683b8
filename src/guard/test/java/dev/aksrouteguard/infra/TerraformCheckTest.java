package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.infra.ArmBodyCheck.Finding;
import dev.aksrouteguard.infra.ArmBodyCheck.Report;
import dev.aksrouteguard.infra.TerraformSchema.Doc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Terraform checker on its own, against the vendored provider pages. */
class TerraformCheckTest {

    private static Report check(Path dir, String tf) throws IOException {
        Files.writeString(dir.resolve("main.tf"), tf);
        return TerraformCheck.checkDirectory(InfraModel.repoRoot(), dir);
    }

    private static List<String> paths(Report r) {
        return r.findings().stream().map(Finding::path).distinct().toList();
    }

    @Test
    void validArgumentsAndBlocksPassInEveryVersion(@TempDir Path dir) throws IOException {
        Report r = check(dir, """
                resource "azurerm_monitor_action_group" "guard" {
                  name                = "ag"
                  resource_group_name = "rg"
                  short_name          = "guard"
                  dynamic "email_receiver" {
                    for_each = ["a@example.com"]
                    content {
                      name          = "mail"
                      email_address = email_receiver.value
                    }
                  }
                  lifecycle {
                    ignore_changes = [tags]
                  }
                }
                """);
        assertTrue(r.ok(), r.describe());
    }

    @Test
    void aMisspelledArgumentFailsWithFileLineAndPath(@TempDir Path dir) throws IOException {
        Report r = check(dir, """
                resource "azurerm_resource_group" "guard" {
                  name     = "rg"
                  locaton  = "westeurope"
                }
                """);
        assertEquals(Set.of("azurerm_resource_group.guard.locaton", "azurerm_resource_group.guard.location"),
                Set.copyOf(paths(r)), r.describe());
        Finding misspelled = r.findings().stream().filter(f -> f.path().endsWith("locaton")).findFirst().orElseThrow();
        assertTrue(misspelled.file().endsWith("main.tf"), misspelled.toString());
        assertEquals(3, misspelled.line());
        assertTrue(r.findings().stream().anyMatch(f -> f.problem().contains("required argument 'location'")), r.describe());
    }

    @Test
    void ignoreChangesOnAnAttributeTheResourceDoesNotTakeIsCaught(@TempDir Path dir) throws IOException {
        // The 2019 advice for kubenet subnets: azurerm_subnet lost route_table_id in 2.0, and 5.x has it back only as
        // a read-only attribute (Terraform then ignores the element with a warning): it keeps nothing in any version.
        Report r = check(dir, """
                resource "azurerm_subnet" "nodes" {
                  name                 = "snet-aks-nodes"
                  resource_group_name  = "rg-net"
                  virtual_network_name = "vnet-spoke"
                  address_prefixes     = ["10.10.0.0/22"]

                  lifecycle {
                    ignore_changes = [route_table_id, address_prefixes[0]]
                  }
                }
                """);
        assertEquals(List.of("azurerm_subnet.nodes.lifecycle.ignore_changes"), paths(r), r.describe());
        assertEquals(TerraformCheck.AZURERM_VERSIONS.size(), r.findings().size(), "once per provider version: " + r.describe());
        assertTrue(r.findings().stream().allMatch(f -> f.problem().startsWith("'route_table_id' in ignore_changes is not an argument")
                && f.line() == 8), r.describe());
    }

    @Test
    void anArgumentRemovedIn50FailsForTheNewestVersionOnly(@TempDir Path dir) throws IOException {
        // local_authentication_disabled: replaced by local_authentication_enabled in 4.x, removed in 5.0.
        Report r = check(dir, """
                resource "azurerm_application_insights" "guard" {
                  name                          = "appi"
                  resource_group_name           = "rg"
                  location                      = "westeurope"
                  application_type              = "web"
                  local_authentication_disabled = true
                }
                """);
        assertFalse(r.ok());
        assertTrue(r.findings().stream().allMatch(f -> f.path().endsWith(".local_authentication_disabled")), r.describe());
        assertTrue(r.findings().stream().anyMatch(f -> f.problem().contains("azurerm v5.2.0")), r.describe());
        assertTrue(r.findings().stream().noneMatch(f -> f.problem().contains("azurerm v4.58.0")),
                "4.58.0 still has it: " + r.describe());
    }

    @Test
    void aNestedBlockArgumentIsCheckedAgainstItsBlock(@TempDir Path dir) throws IOException {
        Report r = check(dir, """
                resource "azurerm_monitor_scheduled_query_rules_alert_v2" "x" {
                  name                 = "x"
                  resource_group_name  = "rg"
                  location             = "westeurope"
                  evaluation_frequency = "PT5M"
                  window_duration      = "PT15M"
                  scopes               = ["id"]
                  severity             = 2
                  criteria {
                    query                   = "AppTraces"
                    time_aggregation_method = "Count"
                    threshold               = 0
                    operator                = "GreaterThan"
                    failing_period {
                      number_of_evaluation_periods = 1
                    }
                  }
                }
                """);
        assertEquals(List.of("azurerm_monitor_scheduled_query_rules_alert_v2.x.criteria[0].failing_period"), paths(r),
                r.describe());
        assertEquals(14, r.findings().get(0).line());
    }

    @Test
    void aLiteralOutsideTheDocumentedValuesFails(@TempDir Path dir) throws IOException {
        Report r = check(dir, """
                variable "aggregation" {
                  default = "Sum"
                }
                resource "azurerm_monitor_scheduled_query_rules_alert_v2" "x" {
                  name                 = "x"
                  resource_group_name  = "rg"
                  location             = "westeurope"
                  evaluation_frequency = "PT5M"
                  window_duration      = "PT15M"
                  scopes               = ["id"]
                  severity             = 2
                  criteria {
                    query                   = "AppTraces"
                    time_aggregation_method = var.aggregation
                    threshold               = 0
                    operator                = "Greater"
                  }
                }
                """);
        assertEquals(Set.of("azurerm_monitor_scheduled_query_rules_alert_v2.x.criteria[0].time_aggregation_method",
                "azurerm_monitor_scheduled_query_rules_alert_v2.x.criteria[0].operator"), Set.copyOf(paths(r)), r.describe());
        assertTrue(r.findings().stream().anyMatch(f -> f.problem().contains("'Sum'") && f.problem().contains("Total")
                && f.line() == 14), r.describe());
    }

    @Test
    void azapiBodiesAreCheckedAgainstTheBicepTypesOfTheirType(@TempDir Path dir) throws IOException {
        Report r = check(dir, """
                resource "azapi_update_resource" "scm" {
                  type      = "Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01"
                  name      = "scm"
                  parent_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/f"
                  body = {
                    properties = {
                      alow = false
                    }
                  }
                }
                resource "azapi_resource" "site" {
                  type      = "Microsoft.Web/sites@2024-04-01"
                  name      = "f"
                  parent_id = "/subscriptions/0/resourceGroups/rg"
                  location  = "westeurope"
                  identity {
                    type = "UserAssigned"
                  }
                  body = {
                    kind = "functionapp,linux"
                    properties = {
                      clientCertMode = "Require"
                    }
                  }
                }
                """);
        assertEquals(Set.of("properties.alow", "properties.clientCertMode"), Set.copyOf(paths(r)), r.describe());
        assertTrue(r.findings().stream().anyMatch(f -> f.path().equals("properties.clientCertMode")
                && f.problem().contains("'Require' is not an allowed value") && f.line() == 22), r.describe());
    }

    @Test
    void anAzapiResourceMustBeDeployableWhereItsParentIdPutsIt(@TempDir Path dir) throws IOException {
        Report r = check(dir, """
                resource "azapi_resource" "group" {
                  for_each  = toset(["a", "b"])
                  type      = "Microsoft.Resources/resourceGroups@2024-03-01"
                  name      = "rg-events"
                  parent_id = "/subscriptions/${each.key}"
                  location  = "westeurope"
                }

                resource "azapi_resource" "topic" {
                  for_each  = azapi_resource.group
                  type      = "Microsoft.EventGrid/systemTopics@2022-06-15"
                  name      = "evgt"
                  parent_id = each.value.id
                  location  = "global"
                  body = {
                    properties = {
                      source    = "/subscriptions/x"
                      topicType = "Microsoft.Resources.Subscriptions"
                    }
                  }
                }

                resource "azapi_resource" "misplaced" {
                  type      = "Microsoft.EventGrid/systemTopics@2022-06-15"
                  name      = "evgt"
                  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000"
                  location  = "global"
                  body = {
                    properties = {
                      source    = "/subscriptions/x"
                      topicType = "Microsoft.Resources.Subscriptions"
                    }
                  }
                }
                """);
        assertEquals(List.of("resource.azapi_resource.misplaced.parent_id"), paths(r), r.describe());
        assertTrue(r.findings().get(0).problem().contains("cannot be deployed at subscription scope"), r.describe());
    }

    @Test
    void moduleCallsPassOnlyDeclaredVariablesAndEveryRequiredOne(@TempDir Path dir) throws IOException {
        Path module = Files.createDirectories(dir.resolve("module"));
        Files.writeString(module.resolve("variables.tf"), """
                variable "location" {
                  type = string
                }
                variable "name" {
                  type    = string
                  default = "x"
                }
                """);
        Path root = Files.createDirectories(dir.resolve("root"));
        Report r = check(root, """
                module "guard" {
                  source = "../module"
                  nmae   = "y"
                }
                """);
        assertEquals(Set.of("module.guard.nmae", "module.guard.location"), Set.copyOf(paths(r)), r.describe());
    }

    @Test
    void thePagesAreReadIntoArgumentsBlocksAndClosedSets() {
        Doc doc = TerraformSchema.azurerm("v5.2.0").resource("azurerm_eventgrid_system_topic_event_subscription").orElseThrow();
        assertTrue(doc.root().args().get("name").required());
        assertTrue(doc.blocks().get("string_in").args().containsKey("values"), "shared args of the advanced_filter blocks");
        assertFalse(doc.blocks().get("string_in").args().get("value").required(), "value OR values");
        assertEquals(Set.of("EventGridSchema", "CloudEventSchemaV1_0", "CustomInputSchema"),
                doc.root().args().get("event_delivery_schema").allowedValues());
        Doc azapi = TerraformSchema.azapi("v2.12.0").resource("azapi_resource").orElseThrow();
        assertTrue(azapi.root().args().get("type").required());
        assertTrue(azapi.root().args().get("id").readOnly());
        assertTrue(azapi.blocks().get("identity").args().get("type").allowedValues().contains("UserAssigned"));
    }

    @Test
    void aClosedSetEndsWithItsSentence() {
        assertEquals(Set.of("PT1M", "PT5M"), TerraformSchema.closedSet(
                "How often. Possible values are `PT1M` and `PT5M`. Defaults to `PT5M`."));
        assertEquals(Set.of("Microsoft.Resources.Subscriptions", "1.2"), TerraformSchema.closedSet(
                "Possible values are `Microsoft.Resources.Subscriptions` and `1.2`."));
        assertEquals(Set.of("A", "B"), TerraformSchema.closedSet("Possible values include: `A`, `B`. Defaults to `A`."));
        assertEquals(Set.of(), TerraformSchema.closedSet("Possible values are names such as `A` and `B`."));
        assertEquals(Set.of("SystemAssigned, UserAssigned", "None"),
                TerraformSchema.closedSet("-> Value must be one of: [\"SystemAssigned, UserAssigned\" \"None\"]."));
    }

    @Test
    void generatedTextIsCheckedWithoutADirectoryOfItsOwn() {
        Report r = TerraformCheck.checkSource(InfraModel.repoRoot(), "snippet.tf", """
                resource "azurerm_subnet_route_table_association" "nodes" {
                  subnet_id      = "x"
                  route_tabel_id = "y"
                }
                """);
        assertTrue(r.findings().stream().anyMatch(f -> f.file().equals("snippet.tf") && f.line() == 3
                && f.path().endsWith(".route_tabel_id")), r.describe());
    }
}
