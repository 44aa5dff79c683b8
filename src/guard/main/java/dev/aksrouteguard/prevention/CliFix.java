package dev.aksrouteguard.prevention;

import java.util.List;

/**
 * The Azure CLI command that puts the table back now: {@code az network vnet subnet update} reads the subnet and
 * writes it back with the table (every other property kept). The table is passed by its full ID: a bare name is
 * looked up in the VNet's resource group and fails for AKS's table in the node resource group.
 */
final class CliFix {

    private CliFix() {}

    static String of(List<Subject> subjects) {
        StringBuilder cli = new StringBuilder();
        for (Subject s : subjects) {
            if (cli.length() > 0) {
                cli.append('\n');
            }
            cli.append("az network vnet subnet update --subscription ").append(s.subnet().subscriptionId())
                    .append(" --resource-group ").append(s.subnet().resourceGroup())
                    .append(" --vnet-name ").append(s.subnet().virtualNetworkName())
                    .append(" --name ").append(s.subnet().name())
                    .append(" --route-table ").append(s.routeTable());
        }
        return cli.toString();
    }
}
