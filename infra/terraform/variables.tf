variable "location" {
  description = "Region for the resource group and the function app (one that offers Flex Consumption)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group to create for the guard."
  type        = string
  default     = "rg-aks-route-guard"
}

variable "name" {
  description = "Name stem for the guard's resources; a hash of subscription, name and location keeps global names unique."
  type        = string
  default     = "aks-route-guard"
}

variable "remediation_mode" {
  description = "report: log and alert on drift, write nothing (read-only role). enforce: re-associate (adds the write actions to the role)."
  type        = string
  default     = "report"

  validation {
    condition     = contains(["enforce", "report"], var.remediation_mode)
    error_message = "remediation_mode must be enforce or report."
  }
}

variable "sweep_schedule" {
  description = "NCRONTAB (six fields, UTC) for the drift sweep; bound by the timer trigger as %SWEEP_SCHEDULE%."
  type        = string
  default     = "0 */5 * * * *"
}

variable "sweep_time_budget" {
  description = "ISO-8601 duration (at most PT6M30S, so that a sweep ends within functionTimeout) after which a sweep starts no new write."
  type        = string
  default     = "PT4M"
}

variable "event_time_budget" {
  description = "ISO-8601 duration (at most PT25S) within which the Event Grid function answers; the rest goes to the retry queue."
  type        = string
  default     = "PT20S"
}

variable "alert_repeat_hours" {
  description = "Hours before an unresolved finding is alerted again."
  type        = string
  default     = "24"
}

variable "recurrence_threshold" {
  description = "Strips of one subnet within recurrence_window_days that make its alert escalate (\"fix the IaC\")."
  type        = string
  default     = "3"
}

variable "recurrence_window_days" {
  description = "Days over which the strips of one subnet are counted for recurrence_threshold."
  type        = string
  default     = "7"
}

variable "teams_webhook_secret_uri" {
  description = "Optional. Key Vault secret URI holding the Teams webhook URL; empty: no Teams alerts."
  type        = string
  default     = ""
}

variable "teams_webhook_key_vault_id" {
  description = "Optional. Resource ID of the Key Vault (RBAC mode) holding the secret, to grant the guard Key Vault Secrets User on that secret."
  type        = string
  default     = ""

  validation {
    condition = var.teams_webhook_key_vault_id == "" || (length(split("/", var.teams_webhook_secret_uri)) >= 5
      && lower(split(".", element(concat(split("/", var.teams_webhook_secret_uri), [""]), 2))[0]) == lower(element(split("/", var.teams_webhook_key_vault_id), length(split("/", var.teams_webhook_key_vault_id)) - 1)))
    error_message = "teams_webhook_key_vault_id needs teams_webhook_secret_uri, the URI of a secret in that vault (https://<vault>.vault.azure.net/secrets/<name>)."
  }
}

variable "teams_card_format" {
  description = "Optional. Card format the Teams webhook accepts (adaptive or messagecard); empty: guessed from the URL."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "adaptive", "messagecard"], var.teams_card_format)
    error_message = "teams_card_format must be empty, adaptive or messagecard."
  }
}

variable "resource_manager_endpoint" {
  description = "Optional. Override of the Azure Resource Manager endpoint; empty: the cloud's own (normal in Azure)."
  type        = string
  default     = ""
}

variable "azure_cloud" {
  description = "Optional, and only a check: AZURE_CLOUD comes from the cloud the provider deploys to (the storage account's endpoint suffix). When given, it must name that cloud, or the apply stops."
  type        = string
  default     = null

  validation {
    # coalesce() skips "" as it skips null, so "" is refused on its own: it would pass here and stop the apply later,
    # at the function app's precondition, reported as null.
    condition     = var.azure_cloud != "" && contains(["AzureCloud", "AzureChinaCloud", "AzureUSGovernment"], coalesce(var.azure_cloud, "AzureCloud"))
    error_message = "azure_cloud must be AzureCloud, AzureChinaCloud or AzureUSGovernment (or unset)."
  }
}

variable "deploy_event_subscription" {
  description = "Create the event subscription. Leave false until the function code is deployed: Event Grid rejects a function destination that does not exist yet. Then apply again with true."
  type        = bool
  default     = false
}

variable "existing_system_topic" {
  description = "Optional. The subscription's existing Microsoft.Resources.Subscriptions system topic (one is allowed per subscription); null: create one. It needs a system-assigned identity."
  type = object({
    name                = string
    resource_group_name = string
  })
  default = null
}

variable "subscription_ids" {
  description = "Optional. Guard these subscriptions instead of only the provider's (the app setting AZURE_SUBSCRIPTION_IDS). Each gets the Event Grid system topic and event subscription, and the role. Empty (with management_group_id empty): guard the provider's subscription alone (AZURE_SUBSCRIPTION_ID). Not with management_group_id."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.subscription_ids : can(regex("^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$", id))])
    error_message = "subscription_ids must be subscription IDs (GUIDs), without /subscriptions/."
  }
}

variable "management_group_id" {
  description = "Optional. Guard every subscription below this management group, at any depth, those moved in later included (its ID; the app setting AZURE_MANAGEMENT_GROUP_ID). The role is defined and assigned at the group; the subscriptions below it now get the Event Grid system topic and event subscription (apply again to add those moved in later). Not with subscription_ids."
  type        = string
  default     = ""

  validation {
    condition     = var.management_group_id == "" || length(var.subscription_ids) == 0
    error_message = "Set subscription_ids or management_group_id, not both: the guard reads exactly one of AZURE_SUBSCRIPTION_IDS and AZURE_MANAGEMENT_GROUP_ID."
  }

  validation {
    condition     = var.management_group_id == "" || can(regex("^[A-Za-z0-9_().-]{1,90}$", var.management_group_id))
    error_message = "management_group_id must be a management group's ID (up to 90 letters, digits, - _ . ( )), not its display name or resource ID."
  }
}

variable "existing_system_topic_ids" {
  description = "Optional. Existing Microsoft.Resources.Subscriptions system topics of guarded subscriptions other than the provider's, by resource ID (one per subscription; each needs a system-assigned identity). The provider's own: existing_system_topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.existing_system_topic_ids : can(regex("(?i)^/subscriptions/[0-9a-f-]{36}/resourceGroups/[^/]+/providers/Microsoft.EventGrid/systemTopics/[^/]+$", id))])
    error_message = "existing_system_topic_ids must be system topic resource IDs: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.EventGrid/systemTopics/<name>."
  }
}

variable "maximum_instance_count" {
  description = "Upper bound on Flex Consumption instances; the guard needs few."
  type        = number
  default     = 40

  validation {
    condition     = var.maximum_instance_count >= 1 && var.maximum_instance_count <= 1000
    error_message = "maximum_instance_count must be between 1 and 1000."
  }
}

variable "always_ready_instances" {
  description = "Always-ready instances for the Event Grid function (no cold start before a repair)."
  type        = number
  default     = 1

  validation {
    condition     = var.always_ready_instances >= 0
    error_message = "always_ready_instances must not be negative."
  }
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
}

variable "alert_email_address" {
  description = "Optional. Email address the guard's health alerts go to (an action group is created for it). Empty: the alert rules are deployed but notify no one unless alert_action_group_id is set."
  type        = string
  default     = ""
}

variable "alert_action_group_id" {
  description = "Optional. Resource ID of an existing action group for the guard's health alerts (takes precedence over alert_email_address)."
  type        = string
  default     = ""
}

variable "sweep_missing_alert_window" {
  description = "How long without a successful drift sweep before the alert fires: three sweep schedule periods, ISO 8601. Change it with sweep_schedule (PT15M fits the default of every five minutes)."
  type        = string
  default     = "PT15M"
}
