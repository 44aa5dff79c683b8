# aks-route-guard: the Terraform twin of infra/main.bicep. One module guards the provider's subscription (the default),
# a list of subscriptions, or every subscription below a management group; same resources, same settings, same role.
# src/guard/test/java/dev/aksrouteguard/infra/ checks that both forms agree with each other and the code.
#
# Two applies: the event subscriptions need the function's code deployed first (Event Grid rejects a function
# destination that does not exist yet), so they wait for deploy_event_subscription = true. See docs/deploy.md.
#
# Other subscriptions than the provider's are reached through azapi_resource's parent_id, which names any subscription,
# rather than an azurerm provider per subscription: a provider configuration cannot be chosen per for_each instance,
# so one alias per subscription would have to be written out by hand for every subscription in the list or the group.
# The provider's own subscription keeps its azurerm resources at their addresses, so a guard of one subscription plans
# no change when this module is upgraded.

data "azurerm_subscription" "current" {}

# A guard of a management group: the subscriptions below it, at any depth, as they are at plan time.
data "azurerm_management_group" "guarded" {
  count = var.management_group_id == "" ? 0 : 1
  name  = var.management_group_id
}

locals {
  # ---- What the guard's code and this deployment must agree on (infra/modules/contract.bicep in Bicep). ----

  # The @FunctionName of the Event Grid-triggered function (dev.aksrouteguard.function.EventGridFunction).
  event_function_name = "OnResourceWrite"

  # The Storage queues of the function app's storage account (identity-based AzureWebJobsStorage connection); the
  # guard's identity gets Storage Queue Data Contributor on each. The poison names are the Functions host's
  # convention, <queue>-poison.
  guard_queues = [
    "routeguard-retry",         # dev.aksrouteguard.queue.StorageRetryQueue.NAME, read by RetryRepair
    "routeguard-retry-poison",  # StorageRetryQueue.POISON_NAME: given-up work
    "routeguard-alerts",        # dev.aksrouteguard.teams.TeamsAlertQueue.NAME, read by DeliverAlert
    "routeguard-alerts-poison", # TeamsAlertQueue.POISON_NAME: alerts Teams would not take
  ]

  # ARM write events only: the guard repairs what a successful write broke.
  included_event_types = [
    "Microsoft.Resources.ResourceWriteSuccess",
  ]

  # data.operationName values the code maps to subnets (dev.aksrouteguard.core.Operations.HANDLED). Event Grid
  # compares StringIn values case-insensitively.
  handled_operations = [
    "Microsoft.Network/virtualNetworks/subnets/write",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.ContainerService/managedClusters/write",
    "Microsoft.ContainerService/managedClusters/agentPools/write",
  ]

  # The custom role, read half: everything remediation_mode = "report" needs.
  guard_read_actions = [
    # List managed clusters; networkProfile and agentPoolProfiles[].vnetSubnetID come inline, so
    # Microsoft.ContainerService/managedClusters/agentPools/read is not needed.
    "Microsoft.ContainerService/managedClusters/read",
    # List virtual networks (subnets come inline).
    "Microsoft.Network/virtualNetworks/read",
    # GET the subnet being reconciled; also the guard's own GET of the result after the PUT's async operation.
    "Microsoft.Network/virtualNetworks/subnets/read",
    # List route tables to find each kubenet cluster's table.
    "Microsoft.Network/routeTables/read",
    # List the deployments of a stripped VNet's resource group, to name the one whose correlation ID the event carries.
    "Microsoft.Resources/deployments/read",
  ]

  # The custom role, what reading the guarded subscriptions themselves takes, only in the mode that calls it
  # (infra/modules/contract.bicep says why): a list reads each subscription's display name; a management group lists
  # its descendants, which ARM checks at the group, where the role is then assigned.
  guard_listed_subscription_actions = [
    "Microsoft.Resources/subscriptions/read",
  ]
  guard_management_group_actions = [
    "Microsoft.Management/managementGroups/descendants/read",
  ]

  # The custom role, write half: added only when remediation_mode = "enforce". Why each action is needed, and
  # which documented ones are deliberately absent: infra/modules/contract.bicep.
  guard_write_actions = [
    "Microsoft.Network/virtualNetworks/subnets/write",                        # the repair PUT
    "Microsoft.Network/locations/operations/read",                            # poll its Azure-AsyncOperation
    "Microsoft.Network/routeTables/join/action",                              # linked check: the table associated
    "Microsoft.Network/networkSecurityGroups/join/action",                    # linked check: NSG already on it
    "Microsoft.Network/natGateways/join/action",                              # linked check: NAT gateway
    "Microsoft.Network/serviceEndpointPolicies/join/action",                  # linked check: endpoint policies
  ]

  # ---- Names ----

  token                     = substr(sha1("${data.azurerm_subscription.current.id}/${var.name}/${var.location}"), 0, 12)
  dead_letter_container     = "deadletter"
  deployment_container      = "app-package"
  use_existing_system_topic = var.existing_system_topic != null
  tags                      = merge(var.tags, { application = "aks-route-guard" })

  # ---- What is guarded: exactly one of the three settings the code reads (dev.aksrouteguard.config.Settings), chosen
  # by the inputs; variables.tf refuses both a list and a management group. ----

  scope_mode = var.management_group_id != "" ? "management_group" : length(var.subscription_ids) > 0 ? "subscriptions" : "subscription"

  own_subscription_id = lower(data.azurerm_subscription.current.subscription_id)
  # The subscriptions whose ARM events reach the guard: each gets its system topic (or uses its existing one) and an
  # event subscription to the one function. For a management group, every subscription below it now (the data source
  # lists them at plan time); one moved in later is guarded by the sweep until the next apply adds its events.
  event_source_subscription_ids  = local.scope_mode == "subscription" ? [local.own_subscription_id] : local.scope_mode == "subscriptions" ? distinct([for id in var.subscription_ids : lower(id)]) : [for id in one(data.azurerm_management_group.guarded[*].all_subscription_ids) : lower(id)]
  guards_own_subscription        = contains(local.event_source_subscription_ids, local.own_subscription_id)
  other_subscription_ids         = toset([for id in local.event_source_subscription_ids : id if id != local.own_subscription_id])
  existing_topic_by_subscription = { for id in var.existing_system_topic_ids : lower(split("/", id)[2]) => id if contains(local.other_subscription_ids, lower(split("/", id)[2])) }

  # ---- The deployment's cloud, from its own storage account: the azurerm provider does not expose its environment,
  # but the account's endpoints carry the cloud's storage suffix (https://<account>.blob.<suffix>/). The map is the
  # code's dev.aksrouteguard.config.AzureCloud (its setting value by its storage suffix); a cloud it does not know
  # stops the apply (the precondition on the function app). ----

  storage_suffix          = trimsuffix(element(split(".blob.", azurerm_storage_account.guard.primary_blob_endpoint), 1), "/")
  cloud_by_storage_suffix = { "core.windows.net" = "AzureCloud", "core.chinacloudapi.cn" = "AzureChinaCloud", "core.usgovcloudapi.net" = "AzureUSGovernment" }
  azure_cloud             = lookup(local.cloud_by_storage_suffix, local.storage_suffix, "")

  # ---- App settings, in the same five groups as infra/modules/functionapp.bicep ----

  # Exactly one of these, the one scope_mode selects; the other two are empty and left out (app_settings below).
  guard_scope_settings = {
    AZURE_SUBSCRIPTION_ID     = local.scope_mode == "subscription" ? data.azurerm_subscription.current.subscription_id : ""
    AZURE_SUBSCRIPTION_IDS    = local.scope_mode == "subscriptions" ? join(",", distinct([for id in var.subscription_ids : lower(id)])) : ""
    AZURE_MANAGEMENT_GROUP_ID = local.scope_mode == "management_group" ? var.management_group_id : ""
  }

  # Read by the guard's code, always set (dev.aksrouteguard.config.Settings.NAMES).
  guard_settings = {
    AZURE_CLOUD      = local.azure_cloud
    REMEDIATION_MODE = var.remediation_mode
    AZURE_CLIENT_ID  = azurerm_user_assigned_identity.guard.client_id
    # Always set: the timer trigger binds its schedule with %SWEEP_SCHEDULE%.
    SWEEP_SCHEDULE                   = var.sweep_schedule
    SWEEP_TIME_BUDGET                = var.sweep_time_budget
    EVENT_TIME_BUDGET                = var.event_time_budget
    ALERT_REPEAT_HOURS               = var.alert_repeat_hours
    RECURRENCE_THRESHOLD             = var.recurrence_threshold
    RECURRENCE_WINDOW_DAYS           = var.recurrence_window_days
    AzureWebJobsStorage__credential  = "managedidentity"
    AzureWebJobsStorage__clientId    = azurerm_user_assigned_identity.guard.client_id
  }

  # Where the identity-based AzureWebJobsStorage connection points, as infra/modules/functionapp.bicep says why:
  # __accountName only where the host and the queue and table extensions, which make
  # https://<account>.<service>.core.windows.net from it, reach the account's own endpoints (global Azure, standard
  # DNS: the settings stay what they always were); anywhere else the account's own blob, queue and table endpoints,
  # and no __accountName (a queue extension from before Azure/azure-sdk-for-net#58661 takes it before __queueServiceUri).
  storage_endpoints = {
    blob  = azurerm_storage_account.guard.primary_blob_endpoint
    queue = azurerm_storage_account.guard.primary_queue_endpoint
    table = azurerm_storage_account.guard.primary_table_endpoint
  }
  host_derives_storage_endpoints = alltrue([for service, endpoint in local.storage_endpoints : endpoint == "https://${azurerm_storage_account.guard.name}.${service}.core.windows.net/"])
  storage_by_account_name = {
    AzureWebJobsStorage__accountName = azurerm_storage_account.guard.name
  }
  storage_by_service_uris = {
    AzureWebJobsStorage__blobServiceUri  = local.storage_endpoints.blob
    AzureWebJobsStorage__queueServiceUri = local.storage_endpoints.queue
    AzureWebJobsStorage__tableServiceUri = local.storage_endpoints.table
  }

  # Read by the guard's code, set only when not empty (filtered in app_settings below).
  guard_optional_settings = {
    AZURE_RESOURCE_MANAGER_ENDPOINT = var.resource_manager_endpoint
    TEAMS_WEBHOOK_URL               = var.teams_webhook_secret_uri == "" ? "" : "@Microsoft.KeyVault(SecretUri=${var.teams_webhook_secret_uri})"
    TEAMS_CARD_FORMAT               = var.teams_card_format
  }

  # Read by the Functions host only.
  host_settings = {
    APPLICATIONINSIGHTS_CONNECTION_STRING     = azapi_resource.app_insights.output.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "ClientId=${azurerm_user_assigned_identity.guard.client_id};Authorization=AAD"
  }

  # Everything the site carries, exactly: no AzureWebJobsStorage (see the function app below).
  app_settings = merge(
    local.host_settings,
    { for name, value in local.guard_scope_settings : name => value if value != "" },
    local.guard_settings,
    local.host_derives_storage_endpoints ? local.storage_by_account_name : local.storage_by_service_uris,
    { for name, value in local.guard_optional_settings : name => value if value != "" },
  )

  # ---- What the alerts read from the guard's logs: the same text as infra/modules/contract.bicep ----

  # The Functions host sends each function's log lines to Application Insights as traces, with the function's name
  # as OperationName and the Java level as SeverityLevel (INFO 1, WARNING 2); the workspace table is AppTraces. A
  # sweep that ran to its end writes one summary line, `sweep mode=...`, with ` error=...` appended when it could
  # not list the subscription. Zero rows still summarize to one row with 0.
  sweep_succeeded_query = <<-KQL
    AppTraces
    | where OperationName == "DriftSweep"
    | where Message startswith "sweep mode=" and Message !contains " error="
    | summarize SucceededSweeps = count()
    KQL

  # Every failed outcome is one Warning line starting with `failed ` (also from RetryRepair, where work given up
  # after the last retry is reported), and a sweep that could not list the subscription is a Warning summary line
  # with ` error=`. `failed alerts: ` lines count whatever their OperationName: the Teams sink's own logger reaches
  # Application Insights only as Host.Function.Console traces outside any invocation (infra/modules/contract.bicep).
  failed_query = <<-KQL
    AppTraces
    | where SeverityLevel >= 2
    | where (OperationName in ("OnResourceWrite", "DriftSweep", "RetryRepair", "DeliverAlert")
        and (Message startswith "failed " or (Message startswith "sweep mode=" and Message contains " error=")))
        or Message startswith "failed alerts: "
    | project TimeGenerated, OperationName, Message
    KQL
}

resource "azurerm_resource_group" "guard" {
  name     = var.resource_group_name
  location = var.location
  tags     = local.tags
}

resource "azurerm_user_assigned_identity" "guard" {
  name                = "id-${var.name}-${local.token}"
  resource_group_name = azurerm_resource_group.guard.name
  location            = var.location
  tags                = local.tags
}

# ---- Monitoring ----

resource "azurerm_log_analytics_workspace" "guard" {
  name                = "log-${var.name}-${local.token}"
  resource_group_name = azurerm_resource_group.guard.name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = local.tags
}

# Workspace-based Application Insights with local (instrumentation key) auth off, as azapi_resource with the body of
# infra/modules/monitoring.bicep: azurerm names that switch local_authentication_disabled up to 4.77 and
# local_authentication_enabled from 4.78 (the old name is gone in 5.0), so no single argument works across the
# provider versions this module admits.
resource "azapi_resource" "app_insights" {
  type      = "Microsoft.Insights/components@2020-02-02"
  name      = "appi-${var.name}-${local.token}"
  parent_id = azurerm_resource_group.guard.id
  location  = var.location
  tags      = local.tags

  body = {
    kind = "web"
    properties = {
      Application_Type    = "web"
      WorkspaceResourceId = azurerm_log_analytics_workspace.guard.id
      DisableLocalAuth    = true
    }
  }

  response_export_values = ["properties.ConnectionString"]
}

# ---- Storage: host state and alert memory, retry and alert queues, deployment package, dead letters. No shared keys. ----

resource "azurerm_storage_account" "guard" {
  name                            = "starg${local.token}"
  resource_group_name             = azurerm_resource_group.guard.name
  location                        = var.location
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  shared_access_key_enabled       = false
  default_to_oauth_authentication = true
  allow_nested_items_to_be_public = false
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  tags                            = local.tags
}

resource "azurerm_storage_container" "package" {
  name                  = local.deployment_container
  storage_account_id    = azurerm_storage_account.guard.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "deadletter" {
  name                  = local.dead_letter_container
  storage_account_id    = azurerm_storage_account.guard.id
  container_access_type = "private"
}

# Through the Resource Manager API (storage_account_id): the account takes no shared key, and the data plane would need
# a queue data role for whoever runs Terraform.
resource "azurerm_storage_queue" "guard" {
  for_each           = toset(local.guard_queues)
  name               = each.value
  storage_account_id = azurerm_storage_account.guard.id
}

resource "azurerm_role_assignment" "blob_owner" {
  scope                = azurerm_storage_account.guard.id
  role_definition_name = "Storage Blob Data Owner" # host leases (timer), deployment package
  principal_id         = azurerm_user_assigned_identity.guard.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "table_contributor" {
  scope                = azurerm_storage_account.guard.id
  role_definition_name = "Storage Table Data Contributor" # the guard's alert memory
  principal_id         = azurerm_user_assigned_identity.guard.principal_id
  principal_type       = "ServicePrincipal"
}

# Each queue alone: the host's queue triggers get, delete and update messages (a failed one goes back with
# visibilityTimeout) and move poison messages; the guard sends. Only this built-in role has the update
# (queues/messages/write). docs/deploy.md, "The queues".
resource "azurerm_role_assignment" "queue_contributor" {
  for_each             = azurerm_storage_queue.guard
  scope                = "${azurerm_storage_account.guard.id}/queueServices/default/queues/${each.value.name}"
  role_definition_name = "Storage Queue Data Contributor"
  principal_id         = azurerm_user_assigned_identity.guard.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "metrics_publisher" {
  scope                = azapi_resource.app_insights.id
  role_definition_name = "Monitoring Metrics Publisher" # telemetry with Entra ID auth
  principal_id         = azurerm_user_assigned_identity.guard.principal_id
  principal_type       = "ServicePrincipal"
}

# ---- The function app ----

resource "azurerm_service_plan" "guard" {
  name                = "plan-${var.name}-${local.token}"
  resource_group_name = azurerm_resource_group.guard.name
  location            = var.location
  os_type             = "Linux"
  sku_name            = "FC1"
  tags                = local.tags
}

# The function app as azapi_resource, with the body of infra/modules/functionapp.bicep.
#
# Not azurerm_function_app_flex_consumption: on every create and update that resource writes the app setting
# AzureWebJobsStorage as a connection string with an empty account key, even when storage_authentication_type is an
# identity, and strips it again when it reads (hashicorp/terraform-provider-azurerm#29149, #29693, #33211; still so
# in v5.2.0). The Functions host reads its own storage (timer leases, keys) from that setting, and overriding it with
# "" is not harmless either: the host maintainers found an empty AzureWebJobsStorage behind the failures in
# Azure/azure-functions-host#11796, and the Azure Verified Module for web sites dropped that same workaround
# (Azure/terraform-azurerm-avm-res-web-site#376) and manages the site through AzAPI since v0.21.0 (#242). Here the
# site carries exactly local.app_settings: the identity-based AzureWebJobsStorage__credential / __clientId with
# __accountName (global Azure) or the account's service URIs (other clouds), and no AzureWebJobsStorage at all.
resource "azapi_resource" "function_app" {
  type      = "Microsoft.Web/sites@2024-04-01"
  name      = "func-${var.name}-${local.token}"
  parent_id = azurerm_resource_group.guard.id
  location  = var.location
  tags      = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.guard.id]
  }

  body = {
    kind = "functionapp,linux"
    properties = {
      serverFarmId = azurerm_service_plan.guard.id
      httpsOnly    = true
      # Key Vault references (TEAMS_WEBHOOK_URL) resolve with the user-assigned identity, not a system one.
      keyVaultReferenceIdentity = azurerm_user_assigned_identity.guard.id
      siteConfig = {
        minTlsVersion = "1.2"
        appSettings   = [for name, value in local.app_settings : { name = name, value = value }]
      }
      functionAppConfig = {
        deployment = {
          storage = {
            type  = "blobContainer"
            value = "${azurerm_storage_account.guard.primary_blob_endpoint}${azurerm_storage_container.package.name}"
            authentication = {
              type                           = "UserAssignedIdentity"
              userAssignedIdentityResourceId = azurerm_user_assigned_identity.guard.id
            }
          }
        }
        scaleAndConcurrency = {
          maximumInstanceCount = var.maximum_instance_count
          instanceMemoryMB     = 2048
          # A warm instance for the event function, so a repair does not wait for a cold start. A single function
          # is named `function:<FunctionName>`.
          alwaysReady = [
            {
              name          = "function:${local.event_function_name}"
              instanceCount = var.always_ready_instances
            },
          ]
        }
        runtime = {
          name    = "java"
          version = "17"
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.azure_cloud != ""
      error_message = "The storage account's blob endpoint (${azurerm_storage_account.guard.primary_blob_endpoint}) is in no cloud the guard knows (AZURE_CLOUD: AzureCloud, AzureChinaCloud, AzureUSGovernment)."
    }
    precondition {
      condition     = var.azure_cloud == null || var.azure_cloud == local.azure_cloud
      error_message = "azure_cloud is ${coalesce(var.azure_cloud, "null")}, but the provider deploys to ${local.azure_cloud} (from the storage account's endpoint); leave azure_cloud unset."
    }
  }

  depends_on = [
    azurerm_role_assignment.blob_owner,
    azurerm_role_assignment.table_contributor,
    azurerm_role_assignment.queue_contributor,
    azurerm_role_assignment.metrics_publisher,
    # The webhook's Key Vault reference is resolved at start: the role to read it comes first.
    azurerm_role_assignment.key_vault_secrets_user,
  ]
}

# Basic-auth publishing off: code is deployed with `az functionapp deployment source config-zip` (Entra ID).
resource "azapi_update_resource" "scm_basic_auth" {
  type      = "Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01"
  name      = "scm"
  parent_id = azapi_resource.function_app.id
  body = {
    properties = {
      allow = false
    }
  }
}

# On the one secret, not the vault: a shared vault's other secrets stay out of the guard's reach.
resource "azurerm_role_assignment" "key_vault_secrets_user" {
  count                = var.teams_webhook_key_vault_id == "" ? 0 : 1
  scope                = "${var.teams_webhook_key_vault_id}/secrets/${element(split("/", var.teams_webhook_secret_uri), 4)}"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.guard.principal_id
  principal_type       = "ServicePrincipal"
}

# ---- The least-privilege custom role ----

locals {
  management_group_scope = "/providers/Microsoft.Management/managementGroups/${var.management_group_id}"
  # One subscription or a list: written in the provider's subscription (creating it takes roleDefinitions/write in every
  # assignable scope, Learn "Azure custom roles"; the provider's is one of them even when it is not guarded: assignable
  # is not assigned) and assigned in each guarded subscription. A management group: written and assigned at the group,
  # which covers every subscription below it, and the descendants listing ARM checks there. A custom role may name one
  # management group in its assignable scopes.
  role_scope             = local.scope_mode == "management_group" ? local.management_group_scope : data.azurerm_subscription.current.id
  role_assignable_scopes = local.scope_mode == "management_group" ? [local.management_group_scope] : concat([data.azurerm_subscription.current.id], [for id in local.event_source_subscription_ids : "/subscriptions/${id}" if id != local.own_subscription_id])
  role_scope_actions     = local.scope_mode == "management_group" ? local.guard_management_group_actions : local.scope_mode == "subscriptions" ? local.guard_listed_subscription_actions : []
}

# One role definition whose actions follow remediation_mode: switching enforce -> report removes the write actions
# from the same role, so no write-capable role is left behind.
resource "azurerm_role_definition" "guard" {
  name        = local.scope_mode == "management_group" ? "AKS Route Guard (${var.management_group_id})" : "AKS Route Guard (${data.azurerm_subscription.current.subscription_id})"
  scope       = local.role_scope
  description = "Lets aks-route-guard read AKS clusters, virtual networks and route tables, and (enforce mode) re-associate a kubenet node subnet with its route table. Mode: ${var.remediation_mode}."

  permissions {
    actions     = concat(local.guard_read_actions, local.role_scope_actions, var.remediation_mode == "enforce" ? local.guard_write_actions : [])
    not_actions = []
  }

  assignable_scopes = local.role_assignable_scopes
}

# In the provider's subscription when it is guarded, or once at the management group.
resource "azurerm_role_assignment" "guard" {
  count              = local.scope_mode == "management_group" || local.guards_own_subscription ? 1 : 0
  scope              = local.role_scope
  role_definition_id = azurerm_role_definition.guard.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.guard.principal_id
  principal_type     = "ServicePrincipal"
}

# Before the management group and list modes this assignment had no count.
moved {
  from = azurerm_role_assignment.guard
  to   = azurerm_role_assignment.guard[0]
}

# In each other guarded subscription of a list. The definition's ID as that subscription names it.
resource "azurerm_role_assignment" "guarded_subscription" {
  for_each           = local.scope_mode == "subscriptions" ? local.other_subscription_ids : toset([])
  scope              = "/subscriptions/${each.key}"
  role_definition_id = "/subscriptions/${each.key}/providers/Microsoft.Authorization/roleDefinitions/${azurerm_role_definition.guard.role_definition_id}"
  principal_id       = azurerm_user_assigned_identity.guard.principal_id
  principal_type     = "ServicePrincipal"
}

# ---- Azure Resource Manager events ----

# ---- The provider's own subscription, when it is guarded (always, for a guard of one subscription) ----

# One system topic per source is allowed: create it only when the subscription has none.
resource "azurerm_eventgrid_system_topic" "guard" {
  count               = local.guards_own_subscription && !local.use_existing_system_topic ? 1 : 0
  name                = "evgt-${var.name}-${local.token}"
  resource_group_name = azurerm_resource_group.guard.name
  location            = "global"
  source_resource_id  = data.azurerm_subscription.current.id
  topic_type          = "Microsoft.Resources.Subscriptions"
  tags                = local.tags

  # Writes dead letters (role below).
  identity {
    type = "SystemAssigned"
  }
}

data "azurerm_eventgrid_system_topic" "existing" {
  count               = local.guards_own_subscription && local.use_existing_system_topic ? 1 : 0
  name                = var.existing_system_topic.name
  resource_group_name = var.existing_system_topic.resource_group_name
}

locals {
  system_topic_name                = !local.guards_own_subscription ? null : local.use_existing_system_topic ? var.existing_system_topic.name : azurerm_eventgrid_system_topic.guard[0].name
  system_topic_resource_group_name = !local.guards_own_subscription ? null : local.use_existing_system_topic ? var.existing_system_topic.resource_group_name : azurerm_resource_group.guard.name
  system_topic_principal_id        = !local.guards_own_subscription ? null : local.use_existing_system_topic ? data.azurerm_eventgrid_system_topic.existing[0].identity[0].principal_id : azurerm_eventgrid_system_topic.guard[0].identity[0].principal_id
}

# Storage Blob Data Contributor on the dead-letter container only:
# https://learn.microsoft.com/azure/event-grid/add-identity-roles
moved {
  from = azurerm_role_assignment.dead_letter_writer
  to   = azurerm_role_assignment.dead_letter_writer[0]
}

resource "azurerm_role_assignment" "dead_letter_writer" {
  count                = local.guards_own_subscription ? 1 : 0
  scope                = "${azurerm_storage_account.guard.id}/blobServices/default/containers/${azurerm_storage_container.deadletter.name}"
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = local.system_topic_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_eventgrid_system_topic_event_subscription" "guard" {
  count               = var.deploy_event_subscription && local.guards_own_subscription ? 1 : 0
  name                = "aks-route-guard"
  system_topic        = local.system_topic_name
  resource_group_name = local.system_topic_resource_group_name

  azure_function_endpoint {
    function_id = "${azapi_resource.function_app.id}/functions/${local.event_function_name}"
    # The Java Event Grid trigger takes one event per invocation.
    max_events_per_batch              = 1
    preferred_batch_size_in_kilobytes = 64
  }

  event_delivery_schema = "EventGridSchema"
  included_event_types  = local.included_event_types

  # At most 25 advanced-filter values per event subscription; the guard needs 4.
  advanced_filter {
    string_in {
      key    = "data.operationName"
      values = local.handled_operations
    }
  }

  # Event Grid's defaults, stated: 30 attempts over 24 hours.
  retry_policy {
    max_delivery_attempts = 30
    event_time_to_live    = 1440
  }

  # Undeliverable events land as blobs, written with the topic's identity (shared-key access is disabled).
  dead_letter_identity {
    type = "SystemAssigned"
  }

  storage_blob_dead_letter_destination {
    storage_account_id          = azurerm_storage_account.guard.id
    storage_blob_container_name = azurerm_storage_container.deadletter.name
  }

  depends_on = [azurerm_role_assignment.dead_letter_writer]
}

# ---- The other guarded subscriptions: a system topic in each (a system topic lives in the subscription it watches),
# in a resource group of its own there, or its existing topic; dead letters to the same container; an event
# subscription on each to the same function. The same ARM bodies as infra/modules/eventsource.bicep,
# systemtopic.bicep and eventsubscription.bicep; IacMatchesResourceSchemasTest checks them against the Bicep types.

resource "azapi_resource" "events_resource_group" {
  for_each  = toset([for id in local.other_subscription_ids : id if !contains(keys(local.existing_topic_by_subscription), id)])
  type      = "Microsoft.Resources/resourceGroups@2024-03-01"
  name      = "${var.resource_group_name}-events"
  parent_id = "/subscriptions/${each.key}"
  location  = var.location
  tags      = local.tags
}

resource "azapi_resource" "guarded_subscription_topic" {
  for_each  = azapi_resource.events_resource_group
  type      = "Microsoft.EventGrid/systemTopics@2022-06-15"
  name      = "evgt-${var.name}-${substr(sha1("/subscriptions/${each.key}/${var.name}/${var.location}"), 0, 12)}"
  parent_id = each.value.id
  location  = "global"
  tags      = local.tags

  # Writes dead letters (role below).
  identity {
    type = "SystemAssigned"
  }

  body = {
    properties = {
      source    = "/subscriptions/${each.key}"
      topicType = "Microsoft.Resources.Subscriptions"
    }
  }
}

# A subscription's existing topic, for its identity (it writes the dead letters).
data "azapi_resource" "existing_guarded_subscription_topic" {
  for_each    = local.existing_topic_by_subscription
  type        = "Microsoft.EventGrid/systemTopics@2022-06-15"
  resource_id = each.value
}

locals {
  guarded_subscription_topics = merge(
    { for id, topic in azapi_resource.guarded_subscription_topic : id => { id = topic.id, principal_id = topic.identity[0].principal_id } },
    { for id, topic in data.azapi_resource.existing_guarded_subscription_topic : id => { id = topic.id, principal_id = topic.identity[0].principal_id } },
  )
}

resource "azurerm_role_assignment" "guarded_subscription_dead_letter_writer" {
  for_each             = local.other_subscription_ids
  scope                = "${azurerm_storage_account.guard.id}/blobServices/default/containers/${azurerm_storage_container.deadletter.name}"
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = local.guarded_subscription_topics[each.key].principal_id
  principal_type       = "ServicePrincipal"
}

# The body of azurerm_eventgrid_system_topic_event_subscription.guard above, as ARM takes it (infra/modules/eventsubscription.bicep).
resource "azapi_resource" "guarded_subscription_event_subscription" {
  for_each  = var.deploy_event_subscription ? local.other_subscription_ids : toset([])
  type      = "Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15"
  name      = "aks-route-guard"
  parent_id = local.guarded_subscription_topics[each.key].id

  body = {
    properties = {
      destination = {
        endpointType = "AzureFunction"
        properties = {
          resourceId = "${azapi_resource.function_app.id}/functions/${local.event_function_name}"
          # The Java Event Grid trigger takes one event per invocation.
          maxEventsPerBatch             = 1
          preferredBatchSizeInKilobytes = 64
        }
      }
      eventDeliverySchema = "EventGridSchema"
      filter = {
        includedEventTypes = local.included_event_types
        # At most 25 advanced-filter values per event subscription; the guard needs 4.
        advancedFilters = [
          {
            operatorType = "StringIn"
            key          = "data.operationName"
            values       = local.handled_operations
          },
        ]
      }
      # Event Grid's defaults, stated: 30 attempts over 24 hours.
      retryPolicy = {
        maxDeliveryAttempts      = 30
        eventTimeToLiveInMinutes = 1440
      }
      # Undeliverable events land as blobs, written with the topic's identity (shared-key access is disabled).
      deadLetterWithResourceIdentity = {
        identity = {
          type = "SystemAssigned"
        }
        deadLetterDestination = {
          endpointType = "StorageBlob"
          properties = {
            resourceId        = azurerm_storage_account.guard.id
            blobContainerName = azurerm_storage_container.deadletter.name
          }
        }
      }
    }
  }

  depends_on = [azurerm_role_assignment.guarded_subscription_dead_letter_writer]
}

# ---- The guard says when it stops guarding: the alert rules of infra/modules/alerts.bicep ----
#
# Always deployed. They notify an existing action group (alert_action_group_id) or one created here for an email
# address (alert_email_address); with neither, they still fire and show in Azure Monitor > Alerts but notify no one,
# on purpose: the module cannot guess who should be woken. docs/deploy.md, "Alerts".
#
# Each log search alert rule runs its query as its own system-assigned identity, with Reader on the workspace it
# queries: without an identity a rule's permissions are those of the last user to edit it (here, whoever last
# applied), as of that edit. A system-assigned identity starts with no permissions and is granted its role after the
# rule is created (https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule#managed-id).
# The identities need nothing on the action groups: they only run the query.

locals {
  create_action_group = var.alert_action_group_id == "" && var.alert_email_address != ""
  alert_action_groups = var.alert_action_group_id != "" ? [var.alert_action_group_id] : azurerm_monitor_action_group.guard[*].id
}

resource "azurerm_monitor_action_group" "guard" {
  count               = local.create_action_group ? 1 : 0
  name                = "alert-${var.name}-${local.token}-ag"
  resource_group_name = azurerm_resource_group.guard.name
  short_name          = "routeguard"
  tags                = local.tags

  email_receiver {
    name                    = "route-guard-owner"
    email_address           = var.alert_email_address
    use_common_alert_schema = true
  }
}

# No DriftSweep finished without error for three schedule periods.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "sweep_missing" {
  name                 = "alert-${var.name}-${local.token}-sweep-missing"
  resource_group_name  = azurerm_resource_group.guard.name
  location             = var.location
  display_name         = "aks-route-guard: no successful drift sweep"
  description          = "No DriftSweep has finished without error for three schedule periods: the guard is not guarding. Check the function app (deployment, storage, identity and its role). docs/deploy.md, \"Verify the guard is alive\"."
  severity             = 1
  enabled              = true
  evaluation_frequency = "PT5M"
  window_duration      = var.sweep_missing_alert_window
  scopes               = [azurerm_log_analytics_workspace.guard.id]

  identity {
    type = "SystemAssigned"
  }

  criteria {
    query                   = local.sweep_succeeded_query
    time_aggregation_method = "Total"
    metric_measure_column   = "SucceededSweeps"
    operator                = "LessThan"
    threshold               = 1

    failing_periods {
      number_of_evaluation_periods             = 1
      minimum_failing_periods_to_trigger_alert = 1
    }
  }

  # A new workspace has no AppTraces rows until the first telemetry arrives; validation would reject the query.
  skip_query_validation   = true
  auto_mitigation_enabled = true

  action {
    action_groups = local.alert_action_groups
  }

  tags = local.tags
}

# Any failed outcome, or a sweep that could not list the subscription.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "failed" {
  name                 = "alert-${var.name}-${local.token}-failed"
  resource_group_name  = azurerm_resource_group.guard.name
  location             = var.location
  display_name         = "aks-route-guard: failed outcome"
  description          = "The guard could not read or repair a subnet, a sweep could not list the subscription, work was dropped as unreadable, or a Teams alert was not delivered. The log line says why and what to do (e.g. the permission to grant)."
  severity             = 2
  enabled              = true
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  scopes               = [azurerm_log_analytics_workspace.guard.id]

  identity {
    type = "SystemAssigned"
  }

  criteria {
    query                   = local.failed_query
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    failing_periods {
      number_of_evaluation_periods             = 1
      minimum_failing_periods_to_trigger_alert = 1
    }
  }

  skip_query_validation   = true
  auto_mitigation_enabled = true

  action {
    action_groups = local.alert_action_groups
  }

  tags = local.tags
}

# The rules' identities read the workspace they query, and nothing else. A system-assigned identity exists only once
# its rule does, so each assignment follows its rule; until it takes effect the rule's evaluations fail ("Unauthorized
# to run query" in the rule's Resource health: https://learn.microsoft.com/azure/azure-monitor/alerts/log-alert-rule-health).
# Reader's */read includes Microsoft.OperationalInsights/workspaces/query/read, which a workspace-context query needs
# (https://learn.microsoft.com/azure/azure-monitor/logs/manage-access).
resource "azurerm_role_assignment" "sweep_missing_reader" {
  scope                = azurerm_log_analytics_workspace.guard.id
  role_definition_name = "Reader"
  principal_id         = azurerm_monitor_scheduled_query_rules_alert_v2.sweep_missing.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "failed_reader" {
  scope                = azurerm_log_analytics_workspace.guard.id
  role_definition_name = "Reader"
  principal_id         = azurerm_monitor_scheduled_query_rules_alert_v2.failed.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

# A function invocation failed (threw). Flex Consumption has no failure metric of its own (its Microsoft.Web/sites
# metrics count executions only); Application Insights' requests/failed counts the invocations the host marked failed.
resource "azurerm_monitor_metric_alert" "failed_executions" {
  name                = "alert-${var.name}-${local.token}-failed-executions"
  resource_group_name = azurerm_resource_group.guard.name
  scopes              = [azapi_resource.app_insights.id]
  description         = "A function invocation failed (threw): Event Grid redelivers the event, but repeated failures mean the guard is not repairing. Flex Consumption has no failure metric of its own; this is Application Insights' requests/failed."
  severity            = 2
  enabled             = true
  frequency           = "PT5M"
  window_size         = "PT15M"
  auto_mitigate       = true

  criteria {
    metric_namespace = "microsoft.insights/components"
    metric_name      = "requests/failed"
    aggregation      = "Count"
    operator         = "GreaterThan"
    threshold        = 0
  }

  dynamic "action" {
    for_each = local.alert_action_groups
    content {
      action_group_id = action.value
    }
  }

  tags = local.tags
}
