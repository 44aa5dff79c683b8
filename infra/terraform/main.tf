# aks-route-guard, once per subscription: the Terraform twin of infra/main.bicep. Same resources, same settings,
# same role; src/guard/test/java/dev/aksrouteguard/infra/ checks that both forms agree with each other and the code.
#
# Two applies on a new subscription: the event subscription needs the function's code deployed first (Event Grid
# rejects a function destination that does not exist yet), so it waits for deploy_event_subscription = true.
# See docs/deploy.md.

data "azurerm_subscription" "current" {}

locals {
  # ---- What the guard's code and this deployment must agree on (infra/modules/contract.bicep in Bicep). ----

  # The @FunctionName of the Event Grid-triggered function (dev.aksrouteguard.function.EventGridFunction).
  event_function_name = "OnResourceWrite"

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
    # GET the subnet being reconciled; also the SDK's final GET after the PUT's async operation.
    "Microsoft.Network/virtualNetworks/subnets/read",
    # List route tables to find each kubenet cluster's table.
    "Microsoft.Network/routeTables/read",
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
    "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action", # linked check: service endpoints
  ]

  # ---- Names ----

  token                     = substr(sha1("${data.azurerm_subscription.current.id}/${var.name}/${var.location}"), 0, 12)
  dead_letter_container     = "deadletter"
  deployment_container      = "app-package"
  use_existing_system_topic = var.existing_system_topic != null
  tags                      = merge(var.tags, { application = "aks-route-guard" })

  # ---- App settings, in the same three groups as infra/modules/functionapp.bicep ----

  # Read by the guard's code, always set (dev.aksrouteguard.config.Settings.NAMES).
  guard_settings = {
    AZURE_SUBSCRIPTION_ID = data.azurerm_subscription.current.subscription_id
    AZURE_CLOUD           = var.azure_cloud
    REMEDIATION_MODE      = var.remediation_mode
    AZURE_CLIENT_ID       = azurerm_user_assigned_identity.guard.client_id
    # Always set: the timer trigger binds its schedule with %SWEEP_SCHEDULE%.
    SWEEP_SCHEDULE                   = var.sweep_schedule
    SWEEP_TIME_BUDGET                = var.sweep_time_budget
    EVENT_TIME_BUDGET                = var.event_time_budget
    ALERT_REPEAT_HOURS               = var.alert_repeat_hours
    AzureWebJobsStorage__accountName = azurerm_storage_account.guard.name
    AzureWebJobsStorage__credential  = "managedidentity"
    AzureWebJobsStorage__clientId    = azurerm_user_assigned_identity.guard.client_id
  }

  # Read by the guard's code, set only when not empty (filtered in app_settings below).
  guard_optional_settings = {
    AZURE_RESOURCE_MANAGER_ENDPOINT = var.resource_manager_endpoint
    TEAMS_WEBHOOK_URL               = var.teams_webhook_secret_uri == "" ? "" : "@Microsoft.KeyVault(SecretUri=${var.teams_webhook_secret_uri})"
    TEAMS_CARD_FORMAT               = var.teams_card_format
  }

  # Read by the Functions host only. APPLICATIONINSIGHTS_CONNECTION_STRING is set through
  # site_config.application_insights_connection_string, as the provider wants.
  host_settings = {
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "ClientId=${azurerm_user_assigned_identity.guard.client_id};Authorization=AAD"
  }

  # azurerm_function_app_flex_consumption writes AzureWebJobsStorage as a key-based connection string with an
  # empty key even when storage uses a managed identity; the host and the guard would then try shared-key auth.
  # An explicit empty value overrides it (the guard treats a blank setting as absent), until the provider stops
  # injecting it: hashicorp/terraform-provider-azurerm#29149, #29693.
  provider_workarounds = {
    AzureWebJobsStorage = ""
  }
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

resource "azurerm_application_insights" "guard" {
  name                          = "appi-${var.name}-${local.token}"
  resource_group_name           = azurerm_resource_group.guard.name
  location                      = var.location
  application_type              = "web"
  workspace_id                  = azurerm_log_analytics_workspace.guard.id
  local_authentication_disabled = true
  tags                          = local.tags
}

# ---- Storage: host state and alert memory, deployment package, dead letters. No shared keys. ----

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

resource "azurerm_role_assignment" "metrics_publisher" {
  scope                = azurerm_application_insights.guard.id
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

resource "azurerm_function_app_flex_consumption" "guard" {
  name                = "func-${var.name}-${local.token}"
  resource_group_name = azurerm_resource_group.guard.name
  location            = var.location
  service_plan_id     = azurerm_service_plan.guard.id
  https_only          = true

  storage_container_type            = "blobContainer"
  storage_container_endpoint        = "${azurerm_storage_account.guard.primary_blob_endpoint}${azurerm_storage_container.package.name}"
  storage_authentication_type       = "UserAssignedIdentity"
  storage_user_assigned_identity_id = azurerm_user_assigned_identity.guard.id

  runtime_name           = "java"
  runtime_version        = "17"
  maximum_instance_count = var.maximum_instance_count
  instance_memory_in_mb  = 2048

  # A warm instance for the event function, so a repair does not wait for a cold start. A single function is
  # named `function:<FunctionName>` (the API lower-cases it; the provider ignores the case difference).
  always_ready {
    name           = "function:${local.event_function_name}"
    instance_count = var.always_ready_instances
  }

  # Code is deployed with `az functionapp deployment source config-zip` (Entra ID), not publishing credentials.
  webdeploy_publish_basic_authentication_enabled = false

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.guard.id]
  }

  site_config {
    application_insights_connection_string = azurerm_application_insights.guard.connection_string
    minimum_tls_version                    = "1.2"
  }

  app_settings = merge(
    local.host_settings,
    local.guard_settings,
    { for name, value in local.guard_optional_settings : name => value if value != "" },
    local.provider_workarounds,
  )

  tags = local.tags

  depends_on = [
    azurerm_role_assignment.blob_owner,
    azurerm_role_assignment.table_contributor,
    azurerm_role_assignment.metrics_publisher,
  ]
}

# Key Vault references (TEAMS_WEBHOOK_URL) must resolve with the user-assigned identity; the azurerm resource has
# no key_vault_reference_identity_id yet (hashicorp/terraform-provider-azurerm#31439), so set the site property.
resource "azapi_update_resource" "key_vault_reference_identity" {
  count       = var.teams_webhook_secret_uri == "" ? 0 : 1
  type        = "Microsoft.Web/sites@2024-04-01"
  resource_id = azurerm_function_app_flex_consumption.guard.id
  body = {
    properties = {
      keyVaultReferenceIdentity = azurerm_user_assigned_identity.guard.id
    }
  }
}

resource "azurerm_role_assignment" "key_vault_secrets_user" {
  count                = var.teams_webhook_key_vault_id == "" ? 0 : 1
  scope                = var.teams_webhook_key_vault_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.guard.principal_id
  principal_type       = "ServicePrincipal"
}

# ---- The least-privilege custom role, at subscription scope ----

# One role definition whose actions follow remediation_mode: switching enforce -> report removes the write actions
# from the same role, so no write-capable role is left behind.
resource "azurerm_role_definition" "guard" {
  name        = "AKS Route Guard (${data.azurerm_subscription.current.subscription_id})"
  scope       = data.azurerm_subscription.current.id
  description = "Lets aks-route-guard read AKS clusters, virtual networks and route tables, and (enforce mode) re-associate a kubenet node subnet with its route table. Mode: ${var.remediation_mode}."

  permissions {
    actions     = var.remediation_mode == "enforce" ? concat(local.guard_read_actions, local.guard_write_actions) : local.guard_read_actions
    not_actions = []
  }

  assignable_scopes = [data.azurerm_subscription.current.id]
}

resource "azurerm_role_assignment" "guard" {
  scope              = data.azurerm_subscription.current.id
  role_definition_id = azurerm_role_definition.guard.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.guard.principal_id
  principal_type     = "ServicePrincipal"
}

# ---- Azure Resource Manager events ----

# One system topic per source is allowed: create it only when the subscription has none.
resource "azurerm_eventgrid_system_topic" "guard" {
  count               = local.use_existing_system_topic ? 0 : 1
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
  count               = local.use_existing_system_topic ? 1 : 0
  name                = var.existing_system_topic.name
  resource_group_name = var.existing_system_topic.resource_group_name
}

locals {
  system_topic_name                = local.use_existing_system_topic ? var.existing_system_topic.name : azurerm_eventgrid_system_topic.guard[0].name
  system_topic_resource_group_name = local.use_existing_system_topic ? var.existing_system_topic.resource_group_name : azurerm_resource_group.guard.name
  system_topic_principal_id        = local.use_existing_system_topic ? data.azurerm_eventgrid_system_topic.existing[0].identity[0].principal_id : azurerm_eventgrid_system_topic.guard[0].identity[0].principal_id
}

# Storage Blob Data Contributor on the dead-letter container only:
# https://learn.microsoft.com/azure/event-grid/add-identity-roles
resource "azurerm_role_assignment" "dead_letter_writer" {
  scope                = "${azurerm_storage_account.guard.id}/blobServices/default/containers/${azurerm_storage_container.deadletter.name}"
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = local.system_topic_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_eventgrid_system_topic_event_subscription" "guard" {
  count               = var.deploy_event_subscription ? 1 : 0
  name                = "aks-route-guard"
  system_topic        = local.system_topic_name
  resource_group_name = local.system_topic_resource_group_name

  azure_function_endpoint {
    function_id = "${azurerm_function_app_flex_consumption.guard.id}/functions/${local.event_function_name}"
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
