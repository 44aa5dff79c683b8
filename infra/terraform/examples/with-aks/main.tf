# A team's root module: its kubenet AKS cluster and VNet, and the guard next to them. Re-applied as written, it keeps
# the association AKS makes between the node subnet and its route table: azurerm_subnet has no route_table_id to
# rewrite (none in 4.x; 5.x has the write-only route_table_id_wo, sent only when route_table_id_wo_version changes,
# and a read-only route_table_id: the azurerm "subnet" pages and subnet_resource.go at v4.81.0 and v5.2.0) and
# updates the subnet read-modify-write. What strips it is a re-deploy of the VNet that declares its
# subnets inline (a subnet {} block without route_table_id, or an ARM/Bicep template of the VNet); the guard puts it
# back, and `aks-route-guard prevent` prints the lines that keep it.
#
#   terraform init && terraform apply                                  # 1. infrastructure
#   (deploy the function code, docs/deploy.md)                         # 2. code
#   terraform apply -var deploy_event_subscription=true                # 3. event subscription

terraform {
  required_version = ">= 1.9"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.58, < 6.0"
    }
    azapi = {
      source  = "Azure/azapi"
      version = ">= 2.0.1, < 3.0"
    }
  }
}

provider "azurerm" {
  features {}
  # The guard's storage account has shared-key access disabled; the provider must use Entra ID for data-plane calls.
  storage_use_azuread = true
}

provider "azapi" {}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "deploy_event_subscription" {
  description = "Set to true after the function code is deployed."
  type        = bool
  default     = false
}

resource "azurerm_resource_group" "aks" {
  name     = "rg-team-aks"
  location = var.location
}

resource "azurerm_virtual_network" "aks" {
  name                = "vnet-team-aks"
  resource_group_name = azurerm_resource_group.aks.name
  location            = var.location
  address_space       = ["10.10.0.0/16"]
}

resource "azurerm_subnet" "nodes" {
  name                 = "snet-nodes"
  resource_group_name  = azurerm_resource_group.aks.name
  virtual_network_name = azurerm_virtual_network.aks.name
  address_prefixes     = ["10.10.0.0/22"]
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-team"
  resource_group_name = azurerm_resource_group.aks.name
  location            = var.location
  dns_prefix          = "aks-team"

  default_node_pool {
    name           = "system"
    node_count     = 2
    vm_size        = "Standard_D4s_v5"
    vnet_subnet_id = azurerm_subnet.nodes.id
  }

  # Required from azurerm 5.0. Manual: node auto-provisioning needs Azure CNI overlay, not kubenet.
  node_provisioning_profile {
    mode = "Manual"
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin = "kubenet"
    pod_cidr       = "10.244.0.0/16"
    service_cidr   = "10.0.0.0/16"
    dns_service_ip = "10.0.0.10"
  }
}

# The cluster's identity manages the node subnet (and the route table AKS creates in the node resource group).
resource "azurerm_role_assignment" "aks_network" {
  scope                = azurerm_virtual_network.aks.id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_kubernetes_cluster.aks.identity[0].principal_id
}

module "route_guard" {
  source = "../.."

  location         = var.location
  remediation_mode = "report" # switch to "enforce" once the reports look right

  deploy_event_subscription = var.deploy_event_subscription

  # Where the guard's health alerts go (docs/deploy.md, "Alerts"):
  # alert_email_address = "platform-oncall@example.com"

  # If the subscription already has its Azure Resource Manager system topic:
  # existing_system_topic = { name = "...", resource_group_name = "..." }

  # One guard for several subscriptions (docs/deploy.md, "Many subscriptions"), one of:
  # subscription_ids    = ["<subscription id>", "<subscription id>"]
  # management_group_id = "<management group id>"
}

output "guard_function_app_name" {
  value = module.route_guard.function_app_name
}

output "guard_resource_group_name" {
  value = module.route_guard.resource_group_name
}
