package dev.aksrouteguard.config;

import java.net.URI;
import java.util.Arrays;
import java.util.stream.Collectors;

/** {@code AZURE_CLOUD}: the sovereign cloud, with the endpoints the guard needs from it. */
public enum AzureCloud {
    AZURE_CLOUD("AzureCloud", "https://management.azure.com/", "https://login.microsoftonline.com/",
            "https://portal.azure.com/", "core.windows.net"),
    AZURE_CHINA_CLOUD("AzureChinaCloud", "https://management.chinacloudapi.cn/", "https://login.chinacloudapi.cn/",
            "https://portal.azure.cn/", "core.chinacloudapi.cn"),
    AZURE_US_GOVERNMENT("AzureUSGovernment", "https://management.usgovcloudapi.net/", "https://login.microsoftonline.us/",
            "https://portal.azure.us/", "core.usgovcloudapi.net");

    private final String settingValue;
    private final URI resourceManager;
    private final URI authorityHost;
    private final URI portal;
    private final String storageSuffix;

    AzureCloud(String settingValue, String resourceManager, String authorityHost, String portal, String storageSuffix) {
        this.settingValue = settingValue;
        this.resourceManager = URI.create(resourceManager);
        this.authorityHost = URI.create(authorityHost);
        this.portal = URI.create(portal);
        this.storageSuffix = storageSuffix;
    }

    public String settingValue() {
        return settingValue;
    }

    public URI resourceManager() {
        return resourceManager;
    }

    public URI authorityHost() {
        return authorityHost;
    }

    /** The Azure portal of this cloud, for the links in alerts. */
    public URI portal() {
        return portal;
    }

    /** The storage endpoint suffix, e.g. {@code core.windows.net}. */
    public String storageSuffix() {
        return storageSuffix;
    }

    static AzureCloud parse(String value) {
        return Arrays.stream(values())
                .filter(c -> c.settingValue.equalsIgnoreCase(value.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected one of "
                        + Arrays.stream(values()).map(AzureCloud::settingValue).collect(Collectors.joining(", "))
                        + ", got '" + value + "'"));
    }
}
