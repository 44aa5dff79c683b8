package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpPipeline;
import com.azure.core.http.policy.HttpLoggingPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.util.Configuration;
import com.azure.core.util.ConfigurationBuilder;
import com.azure.core.util.ConfigurationSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The credential's token requests go through azure-identity's policies less the logging one, only for an App
 * Service–style managed identity (the one source for which azure-identity builds nothing more).
 */
class IdentityPipelineTest {

    static Configuration env(String... pairs) {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            vars.put(pairs[i], pairs[i + 1]);
        }
        ConfigurationSource none = source -> Map.of();
        ConfigurationSource environment = source -> vars;
        return new ConfigurationBuilder(none, none, environment).build();
    }

    @Test
    void onlyAnAppServiceManagedIdentityGetsThePipeline() {
        assertTrue(ArmClients.appServiceManagedIdentity(env("IDENTITY_ENDPOINT", "http://127.0.0.1:8081/msi/token",
                "IDENTITY_HEADER", "h")));
        assertFalse(ArmClients.appServiceManagedIdentity(env()), "a VM (IMDS) or a laptop");
        assertFalse(ArmClients.appServiceManagedIdentity(env("IDENTITY_ENDPOINT", "http://x", "IDENTITY_HEADER", "h",
                "IDENTITY_SERVER_THUMBPRINT", "t")), "Service Fabric");
        assertFalse(ArmClients.appServiceManagedIdentity(env("IDENTITY_ENDPOINT", "http://x", "IMDS_ENDPOINT", "http://y")),
                "Azure Arc");
    }

    @Test
    void thePipelineHasTheUserAgentAndTheDefaultRetryAndNoLoggingPolicy() {
        HttpPipeline pipeline = ArmClients.identityPipeline(ArmClients.httpClient(null), env());
        List<Class<?>> policies = new ArrayList<>();
        for (int i = 0; i < pipeline.getPolicyCount(); i++) {
            policies.add(pipeline.getPolicy(i).getClass());
        }
        assertEquals(List.of(UserAgentPolicy.class, RetryPolicy.class), policies);
        assertFalse(policies.contains(HttpLoggingPolicy.class));
    }
}
