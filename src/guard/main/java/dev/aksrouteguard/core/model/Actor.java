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

    /** "alice@contoso.com (app 04b07795-…, from 203.0.113.7)", or "unknown". */
    public String describe() {
        StringBuilder sb = new StringBuilder(principal != null ? principal : appId != null ? "app " + appId : "unknown");
        if (principal != null && appId != null) {
            sb.append(" (app ").append(appId).append(')');
        }
        if (clientIp != null) {
            sb.append(" from ").append(clientIp);
        }
        return sb.toString();
    }
}
