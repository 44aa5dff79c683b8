package dev.aksrouteguard.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@link Secrets#mask} takes out of quoted text, and what it leaves. Secrets are assembled at run time. */
class SecretsTest {

    /** A token shaped as Entra ID issues them: base64url header, payload and signature. */
    static final String JWT = part("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + part("{\"aud\":\"https://management.azure.com/\"}")
            + "." + part("not-a-real-signature-0123456789");
    static final String HEADER_SECRET = "5d1c" + "0a9e77f04c2b";

    static String part(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void masksTheTokenInAManagedIdentityAnswerTheLibraryCouldNotParse() {
        // msal4j 1.26.0: "[Managed Identity] MSI returned %s, but the response could not be parsed: %s", the second
        // part being the JSON parser's message, which can quote the answer
        String message = "[Managed Identity] MSI returned 200, but the response could not be parsed: Unexpected character "
                + "at [Source: (String)\"{\"access_token\":\"" + JWT + "\",\"expires_on\":\"17\" ...";
        String masked = Secrets.mask(message);
        assertFalse(masked.contains(part("not-a-real-signature-0123456789")), masked);
        assertTrue(masked.contains("\"access_token\":\"***\""), masked);
        assertTrue(masked.contains("MSI returned 200, but the response could not be parsed"), "the rest stays: " + masked);
    }

    @Test
    void masksTokenFieldsInJsonEvenWithoutAJwtOrQuotedInsideAnotherJson() {
        String opaque = "opaque" + "Token4711";
        assertEquals("{\"refresh_token\": \"***\", \"token_type\": \"Bearer\"}",
                Secrets.mask("{\"refresh_token\": \"" + opaque + "\", \"token_type\": \"Bearer\"}"));
        assertEquals("{\\\"access_token\\\":\\\"***\\\"}", Secrets.mask("{\\\"access_token\\\":\\\"" + opaque + "\\\"}"));
    }

    @Test
    void masksTokensAndSecretsAsFormOrQueryParameters() {
        String secret = "s3cr" + "et~value";
        assertEquals("grant_type=client_credentials&client_secret=***&scope=x",
                Secrets.mask("grant_type=client_credentials&client_secret=" + secret + "&scope=x"));
        assertEquals("https://x/cb#access_token=***&state=1", Secrets.mask("https://x/cb#access_token=" + secret + "&state=1"));
    }

    @Test
    void masksABareJwtAndABearerToken() {
        assertEquals("token *** expired", Secrets.mask("token " + JWT + " expired"));
        assertEquals("Authorization: Bearer ***", Secrets.mask("Authorization: Bearer " + JWT));
        assertEquals("Authorization: bearer ***", Secrets.mask("Authorization: bearer abc" + "DEF123"));
    }

    @Test
    void masksTheManagedIdentityHeader() {
        assertEquals("X-IDENTITY-HEADER: ***", Secrets.mask("X-IDENTITY-HEADER: " + HEADER_SECRET));
        assertEquals("{\"x-identity-header\":\"***\"}", Secrets.mask("{\"x-identity-header\":\"" + HEADER_SECRET + "\"}"));
    }

    @Test
    void masksStorageKeysAndSasSignaturesAsBefore() {
        String key = "a2V5" + "a2V5a2V5==";
        assertEquals("AccountName=a;AccountKey=***;EndpointSuffix=core.windows.net",
                Secrets.mask("AccountName=a;AccountKey=" + key + ";EndpointSuffix=core.windows.net"));
        assertEquals("https://a.queue.core.windows.net/q?sv=2022&sig=***&se=1",
                Secrets.mask("https://a.queue.core.windows.net/q?sv=2022&sig=" + "abc%2Bdef" + "&se=1"));
        assertEquals("SharedAccessSignature=***", Secrets.mask("SharedAccessSignature=" + key));
    }

    @Test
    void leavesOrdinaryArmTextAlone() {
        String arm = "Subnet /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s "
                + "is in use: InUseSubnetCannotBeDeleted (token_type Bearer, expires_in 3599, etag W/\"7\")";
        assertEquals(arm, Secrets.mask(arm));
    }
}
