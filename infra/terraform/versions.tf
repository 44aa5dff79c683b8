terraform {
  # `optional()` object attributes and cross-variable validation.
  required_version = ">= 1.9"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # azurerm_function_app_flex_consumption with `always_ready` (added in 4.x, PR #29023) and
      # azurerm_eventgrid_system_topic `source_resource_id` (the 4.0 name).
      version = "~> 4.30"
    }
    azapi = {
      source = "Azure/azapi"
      # Only for keyVaultReferenceIdentity on the function app, which azurerm_function_app_flex_consumption does
      # not expose yet (hashicorp/terraform-provider-azurerm#31439).
      version = "~> 2.0"
    }
  }
}
