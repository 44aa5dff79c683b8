package dev.aksrouteguard.prevention;

/** The tools a fix is written for, with the key each has in JSON ({@code audit --json}'s {@code prevention}). */
public enum Tool {
    TERRAFORM("terraform", "Terraform"),
    BICEP("bicep", "Bicep / ARM"),
    AZURE_CLI("azureCli", "Azure CLI");

    private final String key;
    private final String title;

    Tool(String key, String title) {
        this.key = key;
        this.title = title;
    }

    /** {@code terraform}, {@code bicep}, {@code azureCli}. */
    public String key() {
        return key;
    }

    /** "Terraform", "Bicep / ARM", "Azure CLI". */
    public String title() {
        return title;
    }

    /** Parses {@code terraform}, {@code bicep} or {@code cli} (case-insensitive). */
    public static Tool parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "terraform", "tf" -> TERRAFORM;
            case "bicep", "arm" -> BICEP;
            case "cli", "azurecli", "az" -> AZURE_CLI;
            default -> throw new IllegalArgumentException("expected terraform, bicep or cli, got '" + text + "'");
        };
    }
}
