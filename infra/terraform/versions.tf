terraform {
  # `optional()` object attributes and cross-variable validation.
  required_version = ">= 1.9"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.58 and later, 5.x included. azurerm_eventgrid_system_topic.source_resource_id needs 4.40 (it replaced
      # source_arm_resource_id, removed in 5.0); the floor is the oldest version whose pages the schema check reads
      # (src/guard/test/resources/schemas/terraform-azurerm/, IacMatchesResourceSchemasTest).
      version = ">= 4.58, < 6.0"
    }
    azapi = {
      source = "Azure/azapi"
      # The function app and Application Insights as ARM bodies (main.tf says why) and the basic-auth publishing
      # policy. 2.x takes `body` as an HCL object and exports `output` as one; 2.0.1 is the first 2.x release.
      version = ">= 2.0.1, < 3.0"
    }
  }
}
