package dev.aksrouteguard.core.model;

import java.util.Locale;
import java.util.Map;

/**
 * Microsoft's own client applications, by the application (client) ID an ARM event's {@code appid} claim carries: a
 * write made through them was made by a person at a keyboard (or a script run as one), which is worth saying in words.
 * The IDs are Microsoft's published ones, each checked against two Learn pages: "Planning for mandatory multifactor
 * authentication for Azure and other administration portals", table "Applications" and the list "Use these application
 * IDs in your queries" (Azure portal c44b4083-…, Azure CLI 04b07795-…, Azure PowerShell 1950a258-…;
 * https://learn.microsoft.com/entra/identity/authentication/concept-mandatory-multifactor-authentication, source
 * MicrosoftDocs/entra-docs, docs/identity/authentication/concept-mandatory-multifactor-authentication.md), and
 * "Verify first-party Microsoft applications in sign-in reports", table "Application IDs of commonly used Microsoft
 * applications" (https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in;
 * source MicrosoftDocs/SupportArticles-docs, support/entra/entra-id/governance/verify-first-party-apps-sign-in.md).
 * Any other app ID is a service principal of the tenant's own (a pipeline, a managed identity), shown as such.
 */
public final class FirstPartyApps {

    public static final String AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    public static final String AZURE_POWERSHELL = "1950a258-227b-4e31-a9cf-717495945fc2";
    public static final String AZURE_PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";

    private static final Map<String, String> CLIENTS = Map.of(
            AZURE_CLI, "Azure CLI",
            AZURE_POWERSHELL, "Azure PowerShell",
            AZURE_PORTAL, "the Azure portal");

    private FirstPartyApps() {}

    /** "Azure CLI", "Azure PowerShell", "the Azure portal", or null for an app ID that is not one of these. */
    public static @Nullable String client(@Nullable String appId) {
        return appId == null ? null : CLIENTS.get(appId.trim().toLowerCase(Locale.ROOT));
    }
}
