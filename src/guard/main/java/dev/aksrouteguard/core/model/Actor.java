package dev.aksrouteguard.core.model;

/**
 * Who made the ARM write that triggered the work, from the event's claims.
 *
 * @param principal the UPN, or the {@code name} claim when there is no UPN
 * @param appId the {@code appid} claim (the service principal or tool)
 * @param clientIp {@code data.httpRequest.clientIpAddress}, or the {@code ipaddr} claim
 */
public record Actor(@Nullable String principal, @Nullable String appId, @Nullable String clientIp) {

    public static final Actor UNKNOWN = new Actor(null, null, null);

    /**
     * The client a person used, when the app ID is one of Microsoft's own ({@link FirstPartyApps}): "Azure CLI",
     * "Azure PowerShell", "the Azure portal"; null for any other app ID (a service principal of the tenant).
     */
    public @Nullable String client() {
        return FirstPartyApps.client(appId);
    }

    /** True when the write came from a service principal of the tenant (a pipeline, a managed identity), not a person's client. */
    public boolean isServicePrincipal() {
        return appId != null && client() == null && (principal == null || !principal.contains("@"));
    }

    /**
     * "alice@contoso.com via Azure CLI (app 04b07795-…) from 203.0.113.7", "service principal sp-terraform (app 5f0b…)",
     * "service principal 5f0b…" (no name claim), or "unknown".
     */
    public String describe() {
        return clientIp == null ? who() : who() + " from " + clientIp;
    }

    /** As {@link #describe()}, without the client IP: who made the write, for a history that outlives addresses. */
    public String who() {
        String client = client();
        StringBuilder sb = new StringBuilder();
        if (isServicePrincipal()) {
            sb.append("service principal ").append(principal != null ? principal + " (app " + appId + ")" : appId);
        } else {
            sb.append(principal != null ? principal : appId != null ? "app " + appId : "unknown");
            if (client != null) {
                sb.append(" via ").append(client);
            }
            if (principal != null && appId != null) {
                sb.append(" (app ").append(appId).append(')');
            }
        }
        return sb.toString();
    }
}
