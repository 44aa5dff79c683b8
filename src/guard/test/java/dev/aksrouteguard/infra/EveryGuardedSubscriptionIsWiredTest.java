package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.infra.BicepText.Arr;
import dev.aksrouteguard.infra.BicepText.Declaration;
import dev.aksrouteguard.infra.BicepText.Expr;
import dev.aksrouteguard.infra.BicepText.Loop;
import dev.aksrouteguard.infra.BicepText.Obj;
import dev.aksrouteguard.infra.BicepText.Str;
import dev.aksrouteguard.infra.BicepText.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Where each piece of a guard of many subscriptions goes, in both forms. The deployment's own subscription keeps the
 * resources a guard of one subscription always had (same IDs in Bicep, same addresses in Terraform), now only while it
 * is guarded; every other guarded subscription whose events reach the guard gets the same system topic, dead-letter
 * grant and event subscription (the event subscription waiting for {@code deployEventSubscription}); the role is
 * assigned in each guarded subscription of a list, or once at a management group. DeploymentMatchesCodeTest decides
 * which subscriptions those are for every choice of inputs; this test holds the declarations to it.
 */
class EveryGuardedSubscriptionIsWiredTest {

    private static final Path ROOT = InfraModel.repoRoot();
    private static final BicepText MAIN = bicep("infra/main.bicep");
    private static final TerraformJson TF = TerraformJson.read(ROOT, ROOT.resolve("infra/terraform"));

    private static BicepText bicep(String path) {
        return BicepText.parse(path, InfraModel.read(ROOT.resolve(path)));
    }

    /** A module of main.bicep: what it deploys, its loop ({@code null} without), condition and scope, as written. */
    record Placement(String module, String loop, String condition, String scope) {}

    private static Placement placement(String name) {
        Declaration d = MAIN.find("module", name).orElseThrow(() -> new AssertionError("main.bicep has no module " + name));
        Value value = d.value();
        String loop = null;
        String condition = d.condition();
        if (value instanceof Loop l) {
            loop = l.header();
            condition = l.condition();
            value = l.body();
        }
        String scope = ((Obj) value).get("scope").map(EveryGuardedSubscriptionIsWiredTest::text).orElse(null);
        return new Placement(d.type(), loop, condition, scope);
    }

    private static String text(Value v) {
        return v instanceof Str s ? "'" + s.text() + "'" : v instanceof Expr e ? e.text() : String.valueOf(v);
    }

    private static String var(String name) {
        return text(MAIN.find("var", name).orElseThrow(() -> new AssertionError("main.bicep has no var " + name)).value());
    }

    @Test
    void bicepWiresItsOwnSubscriptionWhileItIsGuardedAndEveryOtherOneTheSameWay() {
        assertEquals("toLower(subscription().subscriptionId)", var("ownSubscriptionId"));
        assertEquals("contains(eventSourceSubscriptionIds, ownSubscriptionId)", var("guardsOwnSubscription"));
        assertEquals("filter(eventSourceSubscriptionIds, id => id != ownSubscriptionId)", var("otherSubscriptionIds"));

        Map<String, Placement> expected = new TreeMap<>(Map.of(
                // this subscription, as a guard of one subscription always had it
                "newTopic", new Placement("modules/systemtopic.bicep", null, "guardsOwnSubscription && !useExistingTopic", "rg"),
                "deadLetterAccess", new Placement("modules/deadletteraccess.bicep", null, "guardsOwnSubscription", "rg"),
                "eventSubscription", new Placement("modules/eventsubscription.bicep", null,
                        "deployEventSubscription && guardsOwnSubscription", "resourceGroup(topicResourceGroup)"),
                // each other subscription: its topic there, its dead letters here, its event subscription there
                "otherTopics", new Placement("modules/eventsource.bicep", "id in otherSubscriptionIds", null, "subscription(id)"),
                "otherDeadLetterAccess", new Placement("modules/deadletteraccess.bicep", "(id, i) in otherSubscriptionIds", null, "rg"),
                "otherEventSubscriptions", new Placement("modules/eventsubscription.bicep", "(id, i) in otherSubscriptionIds",
                        "deployEventSubscription", "resourceGroup(id, otherTopicResourceGroups[i])"),
                // the role: written here; assigned in each guarded subscription, except for a management group
                "role", new Placement("modules/role.bicep", null, "scopeMode != 'managementGroup'", null),
                "roleAssignments", new Placement("modules/roleassignment.bicep", "id in eventSourceSubscriptionIds",
                        "scopeMode != 'managementGroup'", "subscription(id)")));
        Map<String, Placement> actual = new TreeMap<>();
        expected.keySet().forEach(name -> actual.put(name, placement(name)));
        assertEquals(expected, actual, "main.bicep's modules");

        Obj others = (Obj) ((Loop) MAIN.find("module", "otherEventSubscriptions").orElseThrow().value()).body();
        assertEquals("otherTopics[i].outputs.topicName", text(others.at("params.systemTopicName").orElseThrow()));
        Obj own = (Obj) MAIN.find("module", "eventSubscription").orElseThrow().value();
        for (String param : List.of("functionAppId", "deadLetterStorageAccountId", "deadLetterContainerName")) {
            assertEquals(text(own.at("params." + param).orElseThrow()), text(others.at("params." + param).orElseThrow()),
                    "every event subscription delivers to the same function and dead-letters to the same container: " + param);
        }
        Obj grant = (Obj) ((Loop) MAIN.find("module", "otherDeadLetterAccess").orElseThrow().value()).body();
        assertEquals("otherTopics[i].outputs.topicPrincipalId", text(grant.at("params.principalId").orElseThrow()),
                "each other topic's identity writes its dead letters");
        Obj role = (Obj) MAIN.find("module", "role").orElseThrow().value();
        assertEquals("eventSourceSubscriptionIds", text(role.at("params.guardedSubscriptionIds").orElseThrow()));
        assertEquals("scopeMode == 'subscriptions'", text(role.at("params.listed").orElseThrow()));

        // An other subscription's topic is the same system topic module as this subscription's.
        BicepText source = bicep("infra/modules/eventsource.bicep");
        assertEquals("systemtopic.bicep", source.find("module", "newTopic").orElseThrow().type());
    }

    @Test
    void theRoleIsAssignableWhereItIsAssigned() {
        BicepText role = bicep("infra/modules/role.bicep");
        Obj definition = (Obj) role.find("resource", "role").orElseThrow().value();
        assertEquals("concat([subscription().id], map(filter(guardedSubscriptionIds, id => id != toLower(subscription().subscriptionId)), "
                        + "id => '/subscriptions/${id}'))",
                text(definition.at("properties.assignableScopes").orElseThrow()));
        BicepText group = bicep("infra/managementgroup.bicep");
        Obj groupDefinition = (Obj) group.find("resource", "role").orElseThrow().value();
        Arr scopes = (Arr) groupDefinition.at("properties.assignableScopes").orElseThrow();
        assertEquals(List.of("managementGroup().id"), scopes.items().stream().map(EveryGuardedSubscriptionIsWiredTest::text).toList(),
                "one management group, the only kind of scope a management group's role needs");
        Obj groupAssignment = (Obj) group.find("resource", "assignment").orElseThrow().value();
        assertFalse(groupAssignment.get("scope").isPresent(), "assigned at the deployment's scope: the management group");
        assertEquals("role.id", text(groupAssignment.at("properties.roleDefinitionId").orElseThrow()));

        assertEquals("${local.scope_mode == \"management_group\" ? [local.management_group_scope] : concat("
                        + "[data.azurerm_subscription.current.id], [for id in local.event_source_subscription_ids : \"/subscriptions/${id}\" "
                        + "if id != local.own_subscription_id])}",
                TF.local("role_assignable_scopes").orElseThrow().getAsString().replaceAll("\\s+", " "));
        JsonObject definitionTf = TF.onlyResource("azurerm_role_definition");
        assertEquals("${local.role_scope}", definitionTf.get("scope").getAsString());
        assertEquals("${local.role_assignable_scopes}", definitionTf.get("assignable_scopes").getAsString());
        assertEquals("${local.scope_mode == \"management_group\" ? local.management_group_scope : data.azurerm_subscription.current.id}",
                TF.local("role_scope").orElseThrow().getAsString());
    }

    /** A Terraform resource (or data source) by address, e.g. {@code azapi_resource.x} or {@code data.azapi_resource.x}. */
    private static JsonObject tf(String address) {
        String[] parts = address.split("\\.");
        boolean data = parts[0].equals("data");
        String type = parts[data ? 1 : 0];
        String name = parts[data ? 2 : 1];
        JsonObject kind = TF.root().getAsJsonObject(data ? "data" : "resource").getAsJsonObject(type);
        assertTrue(kind != null && kind.has(name), "infra/terraform has no " + address);
        return kind.getAsJsonArray(name).get(0).getAsJsonObject();
    }

    private static String arg(JsonObject block, String name) {
        JsonElement e = block.get(name);
        return e == null ? null : e.isJsonPrimitive() ? e.getAsString().replaceAll("\\s+", " ") : e.toString();
    }

    @Test
    void terraformKeepsTheProviderSubscriptionsAddressesAndReachesEveryOtherOneThroughAzapi() {
        assertEquals("${contains(local.event_source_subscription_ids, local.own_subscription_id)}",
                TF.local("guards_own_subscription").orElseThrow().getAsString());
        assertEquals("${toset([for id in local.event_source_subscription_ids : id if id != local.own_subscription_id])}",
                TF.local("other_subscription_ids").orElseThrow().getAsString());

        Map<String, String> counts = new TreeMap<>(Map.of(
                "azurerm_eventgrid_system_topic.guard", "${local.guards_own_subscription && !local.use_existing_system_topic ? 1 : 0}",
                "data.azurerm_eventgrid_system_topic.existing", "${local.guards_own_subscription && local.use_existing_system_topic ? 1 : 0}",
                "azurerm_role_assignment.dead_letter_writer", "${local.guards_own_subscription ? 1 : 0}",
                "azurerm_eventgrid_system_topic_event_subscription.guard", "${var.deploy_event_subscription && local.guards_own_subscription ? 1 : 0}",
                "azurerm_role_assignment.guard", "${local.scope_mode == \"management_group\" || local.guards_own_subscription ? 1 : 0}"));
        Map<String, String> forEach = new TreeMap<>(Map.of(
                "azapi_resource.events_resource_group",
                "${toset([for id in local.other_subscription_ids : id if !contains(keys(local.existing_topic_by_subscription), id)])}",
                "azapi_resource.guarded_subscription_topic", "${azapi_resource.events_resource_group}",
                "data.azapi_resource.existing_guarded_subscription_topic", "${local.existing_topic_by_subscription}",
                "azurerm_role_assignment.guarded_subscription_dead_letter_writer", "${local.other_subscription_ids}",
                "azapi_resource.guarded_subscription_event_subscription",
                "${var.deploy_event_subscription ? local.other_subscription_ids : toset([])}",
                "azurerm_role_assignment.guarded_subscription", "${local.scope_mode == \"subscriptions\" ? local.other_subscription_ids : toset([])}"));
        Map<String, String> actualCounts = new TreeMap<>();
        counts.keySet().forEach(a -> actualCounts.put(a, arg(tf(a), "count")));
        Map<String, String> actualForEach = new TreeMap<>();
        forEach.keySet().forEach(a -> actualForEach.put(a, arg(tf(a), "for_each")));
        assertEquals(counts, actualCounts, "the provider's subscription's resources");
        assertEquals(forEach, actualForEach, "the other guarded subscriptions' resources");

        // Resources that had no count keep their state through a moved block.
        List<String> moved = new ArrayList<>();
        TF.root().getAsJsonArray("moved").forEach(m -> moved.add(m.getAsJsonObject().get("from").getAsString() + " -> "
                + m.getAsJsonObject().get("to").getAsString()));
        assertEquals(List.of("${azurerm_role_assignment.guard} -> ${azurerm_role_assignment.guard[0]}",
                "${azurerm_role_assignment.dead_letter_writer} -> ${azurerm_role_assignment.dead_letter_writer[0]}"), moved);

        assertEquals("/subscriptions/${each.key}", arg(tf("azapi_resource.events_resource_group"), "parent_id"));
        JsonObject topic = tf("azapi_resource.guarded_subscription_topic");
        JsonObject own = tf("azurerm_eventgrid_system_topic.guard");
        assertEquals(TF.literal(own.get("topic_type")), TF.literal(topic.getAsJsonObject("body").getAsJsonObject("properties").get("topicType")),
                "the same kind of system topic as the provider's subscription's");
        assertEquals("/subscriptions/${each.key}", arg(topic.getAsJsonObject("body").getAsJsonObject("properties"), "source"),
                "a topic watches the subscription it lives in");
        assertEquals(TF.literal(own.get("location")), TF.literal(topic.get("location")));
        assertEquals("/subscriptions/${each.key}", arg(tf("azurerm_role_assignment.guarded_subscription"), "scope"));
        assertEquals(arg(tf("azurerm_role_assignment.dead_letter_writer"), "scope"),
                arg(tf("azurerm_role_assignment.guarded_subscription_dead_letter_writer"), "scope"), "the same dead-letter container");
    }

    @Test
    void theOtherSubscriptionsEventSubscriptionIsTheBicepModulesBody() {
        BicepText module = bicep("infra/modules/eventsubscription.bicep");
        Obj bicepBody = (Obj) module.declarations().stream()
                .filter(d -> d.kind().equals("resource") && !d.existing()).findFirst().orElseThrow().value();
        JsonObject azapi = tf("azapi_resource.guarded_subscription_event_subscription");
        Map<String, String> bicep = new TreeMap<>();
        flatten("", bicepBody.get("properties").orElseThrow(), module, bicep);
        Map<String, String> terraform = new TreeMap<>();
        flatten("", azapi.getAsJsonObject("body").get("properties"), terraform);
        assertEquals(bicep.keySet(), terraform.keySet(), "the same properties");
        bicep.forEach((path, value) -> {
            String other = terraform.get(path);
            if (value.startsWith("=") || other.startsWith("=")) {
                // known at deployment in one form: the other must not fix it either
                assertTrue(value.startsWith("=") && other.startsWith("="), path + ": bicep " + value + ", terraform " + other);
            } else {
                assertEquals(value, other, path);
            }
        });
        assertEquals(TF.literal(tf("azurerm_eventgrid_system_topic_event_subscription.guard").get("name")),
                TF.literal(azapi.get("name")), "the same name as the provider's subscription's");
    }

    /** Bicep values to path = literal (lists of strings joined), or {@code =expression} when known only at deployment. */
    private static void flatten(String path, Value v, BicepText file, Map<String, String> out) {
        if (v instanceof Obj o) {
            o.entries().forEach((k, child) -> flatten(path + "." + k, child, file, out));
        } else if (v instanceof Arr a) {
            if (a.items().stream().allMatch(Str.class::isInstance)) {
                out.put(path, String.join(",", a.items().stream().map(i -> ((Str) i).text()).toList()));
            } else {
                for (int i = 0; i < a.items().size(); i++) {
                    flatten(path + "[" + i + "]", a.items().get(i), file, out);
                }
            }
        } else if (v instanceof Str s) {
            out.put(path, s.text());
        } else {
            String e = text(v);
            Optional<Declaration> imported = e.matches("[A-Za-z]+") ? bicep("infra/modules/contract.bicep").find("var", e)
                    : Optional.empty();
            if (imported.isPresent()) {
                flatten(path, imported.get().value(), file, out);
            } else {
                out.put(path, e.matches("-?\\d+|true|false") ? e : "=" + e);
            }
        }
    }

    /** Terraform values the same way, following whole {@code ${local.x}} references. */
    private static void flatten(String path, JsonElement e, Map<String, String> out) {
        JsonElement v = TF.resolve(e);
        if (v.isJsonObject()) {
            v.getAsJsonObject().entrySet().forEach(x -> flatten(path + "." + x.getKey(), x.getValue(), out));
        } else if (v.isJsonArray()) {
            List<String> strings = new ArrayList<>();
            boolean allStrings = true;
            for (JsonElement item : v.getAsJsonArray()) {
                Optional<String> literal = item.isJsonPrimitive() && item.getAsJsonPrimitive().isString()
                        ? TF.literal(item) : Optional.empty();
                allStrings &= literal.isPresent();
                literal.ifPresent(strings::add);
            }
            if (allStrings) {
                out.put(path, String.join(",", strings));
            } else {
                for (int i = 0; i < v.getAsJsonArray().size(); i++) {
                    flatten(path + "[" + i + "]", v.getAsJsonArray().get(i), out);
                }
            }
        } else if (v.getAsJsonPrimitive().isString()) {
            out.put(path, TF.literal(v).orElse("=" + v.getAsString()));
        } else {
            out.put(path, v.getAsString());
        }
    }
}
