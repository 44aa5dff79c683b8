output "resource_group_name" {
  description = "The guard's resource group."
  value       = azurerm_resource_group.guard.name
}

output "function_app_name" {
  description = "The function app to deploy the code to (az functionapp deployment source config-zip)."
  value       = azapi_resource.function_app.name
}

output "function_app_id" {
  description = "Resource ID of the function app."
  value       = azapi_resource.function_app.id
}

output "event_function_name" {
  description = "The Event Grid function the event subscription delivers to."
  value       = local.event_function_name
}

output "identity_client_id" {
  description = "Client ID of the guard's user-assigned identity (AZURE_CLIENT_ID)."
  value       = azurerm_user_assigned_identity.guard.client_id
}

output "identity_principal_id" {
  description = "Object ID of the guard's identity, for extra grants (e.g. a Key Vault access policy)."
  value       = azurerm_user_assigned_identity.guard.principal_id
}

output "role_definition_id" {
  description = "The guard's custom role."
  value       = azurerm_role_definition.guard.role_definition_resource_id
}

output "system_topic_name" {
  description = "The provider's subscription's Microsoft.Resources.Subscriptions system topic, or null when that subscription is not guarded."
  value       = local.system_topic_name
}

output "event_source_subscription_ids" {
  description = "The guarded subscriptions whose ARM events reach the guard: each has a system topic and, once deploy_event_subscription is true, the event subscription aks-route-guard. For a management group, those below it at the last apply."
  value       = local.event_source_subscription_ids
}

output "event_subscription_id" {
  description = "The event subscription in the provider's subscription, or null until deploy_event_subscription is true (or when that subscription is not guarded)."
  value       = one(azurerm_eventgrid_system_topic_event_subscription.guard[*].id)
}

output "alert_action_group_ids" {
  description = "The action groups the health alerts notify (empty: they notify no one)."
  value       = local.alert_action_groups
}
