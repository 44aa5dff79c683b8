package dev.aksrouteguard.emulator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Who calls ARM: the identity behind a bearer token the emulator issued. Its claims end up in the
 * {@code data.claims} of the Event Grid events that its writes cause, and its name and object id in
 * {@code AuthorizationFailed} messages.
 *
 * @param objectId the Entra object id ({@code oid})
 * @param appId the application (client) id ({@code appid}); for a user, the app they signed in with
 * @param displayName the {@code name} claim
 * @param upn the user principal name, only for users
 * @param kind what sort of principal this is
 */
public record Principal(String objectId, String appId, String displayName, @Nullable String upn, Kind kind) {
    /** The guard's system-assigned managed identity, the default owner of managed-identity tokens. */
    public static final Principal GUARD = new Principal("8d1a5a1e-3f4b-4c8e-9a76-2b1f0c9e4d21",
            "5f0b6c3a-9e2d-4b7f-8c1a-7d3e2f1a0b9c", "func-aks-route-guard", null, Kind.MANAGED_IDENTITY);

    /** The Azure CLI's public client id, the usual {@code appid} of a user working from a terminal. */
    public static final String AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

    /** The sort of principal, as ARM's {@code principalType}. */
    public enum Kind { MANAGED_IDENTITY, SERVICE_PRINCIPAL, USER }

    public Principal {
        Objects.requireNonNull(objectId, "objectId == null");
        Objects.requireNonNull(appId, "appId == null");
        Objects.requireNonNull(displayName, "displayName == null");
        Objects.requireNonNull(kind, "kind == null");
        if ((kind == Kind.USER) != (upn != null)) {
            throw new IllegalArgumentException("a upn is required for users and only for users");
        }
    }

    /** A service principal such as the one a Terraform pipeline runs as; ids are derived from the name. */
    public static Principal servicePrincipal(String displayName) {
        Objects.requireNonNull(displayName, "displayName == null");
        return new Principal(nameUuid("oid:" + displayName), nameUuid("appid:" + displayName), displayName, null,
                Kind.SERVICE_PRINCIPAL);
    }

    /** A signed-in user working through the Azure CLI; the object id is derived from the UPN. */
    public static Principal user(String upn, String displayName) {
        Objects.requireNonNull(upn, "upn == null");
        return new Principal(nameUuid("oid:" + upn), AZURE_CLI_APP_ID, displayName, upn, Kind.USER);
    }

    /** A user-assigned managed identity known only by its client id. */
    static Principal userAssignedIdentity(String clientId) {
        return new Principal(nameUuid("oid:" + clientId), clientId, "user-assigned identity " + clientId, null,
                Kind.MANAGED_IDENTITY);
    }

    /** How ARM names the client in its error messages: the UPN for a user, else the application id. */
    String clientName() {
        return upn != null ? upn : appId;
    }

    /** ARM's {@code principalType}. */
    String principalType() {
        return kind == Kind.USER ? "User" : "ServicePrincipal";
    }

    /** The token claims ARM copies into events (a subset of a real token's). */
    Map<String, String> claims(String tenantId, String ipAddress) {
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("aud", "https://management.core.windows.net/");
        claims.put("iss", "https://sts.windows.net/" + tenantId + "/");
        claims.put("appid", appId);
        claims.put("appidacr", kind == Kind.USER ? "0" : "2");
        claims.put("http://schemas.microsoft.com/identity/claims/identityprovider",
                "https://sts.windows.net/" + tenantId + "/");
        claims.put("http://schemas.microsoft.com/identity/claims/objectidentifier", objectId);
        claims.put("http://schemas.microsoft.com/identity/claims/tenantid", tenantId);
        claims.put("ipaddr", ipAddress);
        claims.put("name", displayName);
        if (upn != null) {
            claims.put("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", upn);
            claims.put("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", upn);
        }
        claims.put("ver", "1.0");
        return claims;
    }

    private static String nameUuid(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
