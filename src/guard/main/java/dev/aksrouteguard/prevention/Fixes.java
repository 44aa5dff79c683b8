package dev.aksrouteguard.prevention;

import dev.aksrouteguard.core.model.Nullable;
import java.util.List;
import java.util.Objects;

/**
 * The fixes for one subnet (or one VNet's guarded subnets), one text per tool, each ready to paste: Terraform (HCL),
 * Bicep, and the Azure CLI command that fixes it now.
 *
 * @param primary the tool that most likely made the change (shown first, and alone on a card); null when it is not
 *     known (the lookup of the write was late, failed or was refused, or there is no write): no fix is put first
 * @param why why that tool, in one sentence
 * @param evidence how the IaC declares the subnet and how that was concluded
 */
public record Fixes(String terraform, String bicep, String azureCli, @Nullable Tool primary, String why, String evidence) {

    public Fixes {
        Objects.requireNonNull(terraform, "terraform == null");
        Objects.requireNonNull(bicep, "bicep == null");
        Objects.requireNonNull(azureCli, "azureCli == null");
        Objects.requireNonNull(why, "why == null");
        Objects.requireNonNull(evidence, "evidence == null");
    }

    /** The text for {@code tool}. */
    public String of(Tool tool) {
        return switch (tool) {
            case TERRAFORM -> terraform;
            case BICEP -> bicep;
            case AZURE_CLI -> azureCli;
        };
    }

    /** The tools other than the primary one, in order: all of them when none is primary. */
    public List<Tool> others() {
        return List.of(Tool.values()).stream().filter(t -> t != primary).toList();
    }
}
