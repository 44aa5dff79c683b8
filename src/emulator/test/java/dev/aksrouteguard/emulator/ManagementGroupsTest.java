package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several subscriptions in a management-group hierarchy: descendants paged as Microsoft.Management 2023-04-01 serves
 * them, subscriptions with display names, moves, and RBAC that follows the hierarchy.
 *
 * <pre>
 * Tenant Root Group
 * ├── mg-platform ── mg-connectivity ── sub HUB
 * │               └─ sub A
 * └── mg-sandbox ── sub B
 * </pre>
 */
class ManagementGroupsTest {
    static final String API = "api-version=2023-04-01";
    static final String A = "11111111-0000-4000-8000-00000000000a";
    static final String B = "11111111-0000-4000-8000-00000000000b";
    static final String HUB = "11111111-0000-4000-8000-0000000000cc";
    static final String MG = "/providers/Microsoft.Management/managementGroups/";

    private ArmEmulator arm;
    private ArmHttp http;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start();
        http = new ArmHttp(arm, Principal.GUARD);
        arm.managementGroup("mg-platform", "Platform", arm.tenantRootGroup())
                .managementGroup("mg-connectivity", "Connectivity", "mg-platform")
                .managementGroup("mg-sandbox", "Sandbox", arm.tenantRootGroup())
                .subscription(A, "App A", "mg-platform")
                .subscription(HUB, "Hub", "mg-connectivity")
                .subscription(B, "Sandbox B", "mg-sandbox");
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    /** Every descendant, following nextLink. */
    List<JsonObject> descendants(String group, String query) {
        List<JsonObject> all = new ArrayList<>();
        ArmHttp.Response page = http.get(MG + group + "/descendants?" + API + query);
        while (true) {
            assertEquals(200, page.status(), page.body().toString());
            page.body().getAsJsonArray("value").forEach(v -> all.add(v.getAsJsonObject()));
            JsonElement next = page.body().get("nextLink");
            if (next == null) {
                return all;
            }
            page = http.getUrl(next.getAsString());
        }
    }

    static List<String> ids(List<JsonObject> items) {
        return items.stream().map(i -> i.get("id").getAsString()).toList();
    }

    @Test
    void theDescendantsOfAGroupAreItsGroupsAndSubscriptionsBreadthFirstInTheSpecsShape() {
        List<JsonObject> all = descendants("mg-platform", "");

        assertEquals(List.of(MG + "mg-connectivity", "/subscriptions/" + A, "/subscriptions/" + HUB), ids(all));
        JsonObject group = all.get(0);
        assertEquals("Microsoft.Management/managementGroups", group.get("type").getAsString());
        assertEquals("mg-connectivity", group.get("name").getAsString());
        assertEquals("Connectivity", group.getAsJsonObject("properties").get("displayName").getAsString());
        assertEquals(MG + "mg-platform", group.getAsJsonObject("properties").getAsJsonObject("parent").get("id").getAsString());
        JsonObject hub = all.get(2);
        assertEquals("/subscriptions", hub.get("type").getAsString());
        assertEquals(HUB, hub.get("name").getAsString());
        assertEquals("Hub", hub.getAsJsonObject("properties").get("displayName").getAsString());
        assertEquals(MG + "mg-connectivity", hub.getAsJsonObject("properties").getAsJsonObject("parent").get("id").getAsString());
    }

    @Test
    void theDescendantsArePagedByTopOrByThePageSize() {
        List<JsonObject> everything = descendants(arm.tenantRootGroup(), "");
        assertEquals(6, everything.size(), ids(everything).toString());

        arm.clearRequests();
        assertEquals(everything, descendants(arm.tenantRootGroup(), "&$top=4"));
        assertEquals(2, arm.requests().size(), "two pages of at most four");

        arm.pageSize(1).clearRequests();
        assertEquals(everything, descendants(arm.tenantRootGroup(), ""));
        assertEquals(6, arm.requests().size());
        assertTrue(arm.requests().get(1).query().contains("$skiptoken="), arm.requests().get(1).query());
    }

    @Test
    void aSubscriptionAnswersItsDisplayNameAndAnUnplacedOneStillAnswers() {
        ArmHttp.Response a = http.get("/subscriptions/" + A + "?api-version=2022-12-01");
        assertEquals("App A", a.body().get("displayName").getAsString());
        assertEquals("/subscriptions/" + A, a.body().get("id").getAsString());
        assertEquals(A, a.body().get("subscriptionId").getAsString());
        assertEquals(ArmEmulator.TENANT_ID, a.body().get("tenantId").getAsString());
        assertEquals("Enabled", a.body().get("state").getAsString());

        ArmHttp.Response unplaced = http.get("/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "?api-version=2022-12-01");
        assertEquals(200, unplaced.status());
        assertFalse(ids(descendants(arm.tenantRootGroup(), "")).contains("/subscriptions/" + Fixtures.SUBSCRIPTION_ID));
    }

    @Test
    void aGroupAnswersWithItsParent() {
        JsonObject group = http.get(MG + "mg-connectivity?" + API).body();

        assertEquals(MG + "mg-connectivity", group.get("id").getAsString());
        assertEquals("Connectivity", group.getAsJsonObject("properties").get("displayName").getAsString());
        JsonObject parent = group.getAsJsonObject("properties").getAsJsonObject("details").getAsJsonObject("parent");
        assertEquals(MG + "mg-platform", parent.get("id").getAsString());
        assertNull(http.get(MG + arm.tenantRootGroup() + "?" + API).body().getAsJsonObject("properties")
                .getAsJsonObject("details").get("parent"), "the root has no parent");
    }

    @Test
    void aSubscriptionMovesBetweenGroups() {
        arm.moveSubscription(B, "mg-connectivity");

        assertEquals(List.of(), descendants("mg-sandbox", ""));
        JsonObject moved = descendants("mg-platform", "").stream()
                .filter(i -> i.get("name").getAsString().equals(B)).findFirst().orElseThrow();
        assertEquals(MG + "mg-connectivity", moved.getAsJsonObject("properties").getAsJsonObject("parent").get("id").getAsString());
        assertEquals("Sandbox B", moved.getAsJsonObject("properties").get("displayName").getAsString());
    }

    @Test
    void anUnknownGroupIsNotFoundAndGroupsAreReadOnly() {
        assertEquals(404, http.get(MG + "mg-nope/descendants?" + API).status());
        assertEquals(404, http.get(MG + "mg-nope?" + API).status());
        assertEquals(405, http.put(MG + "mg-new?" + API, new JsonObject()).status());
        assertThrows(IllegalArgumentException.class, () -> arm.managementGroup("mg-x", "X", "mg-nope"));
        assertThrows(IllegalArgumentException.class, () -> arm.managementGroup("mg-platform", "Again", arm.tenantRootGroup()));
        assertThrows(IllegalArgumentException.class, () -> arm.moveSubscription(Fixtures.SUBSCRIPTION_ID, "mg-platform"));
    }

    @Test
    void aPrincipalCanBeDeniedOneWholeSubscription() {
        Set<String> reader = Set.of("Microsoft.Network/*/read", "Microsoft.ContainerService/managedClusters/read");
        arm.allowActions("/subscriptions/" + A, reader).allowActions("/subscriptions/" + HUB, reader);

        assertEquals(200, http.get("/subscriptions/" + A + "/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API).status());
        for (String list : List.of("/providers/Microsoft.Network/virtualNetworks", "/providers/Microsoft.Network/routeTables",
                "/providers/Microsoft.ContainerService/managedClusters")) {
            ArmHttp.Response denied = http.get("/subscriptions/" + B + list + "?" + ArmHttp.API);
            assertEquals(403, denied.status(), list);
            assertEquals("AuthorizationFailed", denied.errorCode());
            assertTrue(denied.errorMessage().contains("over scope '/subscriptions/" + B + "'"), denied.errorMessage());
        }
    }

    @Test
    void aGrantAtAManagementGroupCoversTheSubscriptionsBelowItWhileTheyStayThere() {
        arm.allowActions(MG + "mg-platform", Set.of("Microsoft.Network/*/read", "Microsoft.Management/managementGroups/descendants/read"));
        String hubVnets = "/subscriptions/" + HUB + "/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API;
        String sandboxVnets = "/subscriptions/" + B + "/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API;

        assertEquals(200, http.get(hubVnets).status(), "two levels below the grant");
        assertEquals(403, http.get(sandboxVnets).status(), "outside the group");
        assertEquals(200, http.get(MG + "mg-connectivity/descendants?" + API).status(), "a child group inherits too");
        assertEquals(403, http.get(MG + "mg-sandbox/descendants?" + API).status());

        arm.moveSubscription(B, "mg-platform").moveSubscription(HUB, "mg-sandbox");

        assertEquals(200, http.get(sandboxVnets).status(), "moved in: covered");
        assertEquals(403, http.get(hubVnets).status(), "moved out: no longer covered");
    }

    @Test
    void managementGroupRequestsMapToTheirActions() {
        assertEquals("Microsoft.Management/managementGroups/descendants/read",
                ArmEmulator.rbacAction("GET", MG + "mg-platform/descendants?" + API));
        assertEquals("Microsoft.Management/managementGroups/read", ArmEmulator.rbacAction("GET", MG + "mg-platform"));
        http.get(MG + "mg-platform/descendants?" + API);
        assertEquals("Microsoft.Management/managementGroups/descendants/read", arm.requests().get(0).rbacAction());
    }

    @Test
    void descendantsCanBeMadeToPageForever() {
        arm.inject(Fault.on("GET", "/descendants$").nextLinkToItself().always());

        ArmHttp.Response page = http.get(MG + "mg-platform/descendants?" + API);

        assertEquals(arm.endpoint() + MG.substring(1) + "mg-platform/descendants?" + API, page.body().get("nextLink").getAsString());
    }
}
