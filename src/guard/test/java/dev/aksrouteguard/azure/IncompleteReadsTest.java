package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.Subnets;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 §3: a subnet GET that answers {@code 200} with less than a whole subnet must never become a PUT (a subnet PUT
 * replaces the whole subnet: a body holding only {@code routeTable} would strip everything else). Each malformed read
 * is served over HTTPS by the emulator, and none of them writes, through the adapter or through the whole guard.
 */
class IncompleteReadsTest {

    Emulated azure = Emulated.start();
    SeededCluster cluster;
    String otherSubnet;

    @BeforeEach
    void seed() {
        cluster = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        otherSubnet = Fixtures.plainSubnet(azure.arm, Emulated.SUB, "rg-app", "vnet-other", "snet-other");
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    /** The subnet as ARM would answer it, changed by {@code change}, as raw text. */
    static Function<IncompleteReadsTest, String> document(java.util.function.Consumer<JsonObject> change) {
        return test -> {
            JsonObject doc = test.azure.resource(test.cluster.nodeSubnetId());
            change.accept(doc);
            return doc.toString();
        };
    }

    static Stream<Arguments> malformedReads() {
        return Stream.of(
                Arguments.of("no properties", document(d -> d.remove("properties")), "has no properties"),
                Arguments.of("no address prefix", document(d -> {
                    d.getAsJsonObject("properties").remove("addressPrefix");
                    d.getAsJsonObject("properties").remove("addressPrefixes");
                }), "has no address prefix"),
                Arguments.of("an empty address prefix list", document(d -> {
                    d.getAsJsonObject("properties").remove("addressPrefix");
                    d.getAsJsonObject("properties").add("addressPrefixes", new com.google.gson.JsonArray());
                }), "has no address prefix"),
                Arguments.of("a different ID", (Function<IncompleteReadsTest, String>) t -> t.azure.resource(t.otherSubnet).toString(),
                        "about another resource"),
                Arguments.of("no ID", document(d -> d.remove("id")), "has no id"),
                Arguments.of("a null body", (Function<IncompleteReadsTest, String>) t -> "null", "has no body"),
                Arguments.of("an empty body", (Function<IncompleteReadsTest, String>) t -> "", "has no body"),
                Arguments.of("an array", (Function<IncompleteReadsTest, String>) t -> "[]", "not a JSON object"),
                Arguments.of("not JSON", (Function<IncompleteReadsTest, String>) t -> "<html>busy</html>", "not valid JSON"),
                Arguments.of("a name twice", (Function<IncompleteReadsTest, String>) t -> {
                    String doc = t.azure.resource(t.cluster.nodeSubnetId()).toString();
                    return doc.substring(0, doc.length() - 1) + ",\"properties\":{\"addressPrefix\":\"10.9.0.0/24\"}}";
                }, "appears twice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedReads")
    void aMalformedReadFailsAsIncompleteAndIsNeverWritten(String name, Function<IncompleteReadsTest, String> body,
            String reason) {
        String raw = body.apply(this);
        azure.arm.inject(Fault.on("GET", "/subnets/").respondRaw(200, raw).always());
        Subnets subnets = Connect.to(azure).subnets();

        ArmException e = assertThrows(ArmException.class, () -> subnets.get(SubnetId.parse(cluster.nodeSubnetId())));

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().startsWith("incomplete read of subnet snet-aks-nodes ("), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().endsWith("; not writing"), e.getMessage());
        assertEquals(0, azure.writes().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedReads")
    void theGuardReportsAMalformedReadAsFailedAndWritesNothing(String name, Function<IncompleteReadsTest, String> body,
            String reason) {
        azure.arm.inject(Fault.on("GET", "/subnets/").respondRaw(200, body.apply(this)).always());

        Outcome outcome = azure.wiring().guard().reconcile(SubnetId.parse(cluster.nodeSubnetId()), new Trigger.Manual("test"));

        assertEquals(Action.FAILED, outcome.action(), outcome.toString());
        assertTrue(outcome.message().contains("incomplete read"), outcome.message());
        assertEquals(0, azure.writes().size());
        assertNull(azure.routeTableOf(cluster.nodeSubnetId()));
    }

    @Test
    void aReadWithoutAnEtagIsDecidedOnButNeverWritten() {
        azure.arm.inject(Fault.on("GET", "/subnets/").respondRaw(200, document(d -> d.remove("etag")).apply(this)));
        Subnets subnets = Connect.to(azure).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(cluster.nodeSubnetId()));
        assertNull(read.state().etag());

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(cluster.routeTableId())));

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("no etag"), e.getMessage());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void aSubnetCarryingAnotherRouteTableIsNeverSwapped() {
        SeededCluster other = Fixtures.kubenetCluster("rg-other", "aks-other").seed(azure.arm);
        Subnets subnets = Connect.to(azure).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(other.nodeSubnetId()));

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(cluster.routeTableId())));

        assertEquals(ArmException.Kind.TERMINAL, e.kind());
        assertTrue(e.getMessage().contains("never replaces a route table"), e.getMessage());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void aWriteWhoseAnswerCannotBeTrustedIsReportedAsSuch() {
        Subnets subnets = Connect.to(azure).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(cluster.nodeSubnetId()));
        azure.arm.inject(Fault.on("PUT", "/subnets/").respondRaw(200, "{\"id\":\"" + otherSubnet + "\"}"));

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(cluster.routeTableId())));

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("read after it cannot be trusted"), e.getMessage());
    }

    @Test
    void theCopyWrittenIsNotTheObservationSoARetryStartsFromTheRead() {
        Subnets subnets = Connect.to(azure).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(cluster.nodeSubnetId()));
        azure.arm.inject(Fault.on("PUT", "/subnets/").respond(412, "PreconditionFailed", "changed"));

        assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(cluster.routeTableId())));

        assertNull(read.state().routeTable(), "the observation still says what was read");
        assertEquals(ResourceId.parse(cluster.routeTableId()),
                subnets.associate(read, ResourceId.parse(cluster.routeTableId())).routeTable());
    }
}
