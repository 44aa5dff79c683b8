// What the guard's code and this deployment must agree on, in one place. The Terraform module keeps the same
// values in `locals` (infra/terraform/main.tf); src/guard/test/java/dev/aksrouteguard/infra/ checks both against the code.
//
// Compile-time imports (`@export()` / `import {...} from`) need Bicep 0.25 or later:
// https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-import
// (main.bicep's fail() needs 0.33.13: https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions-flow-control)

// The @FunctionName of the Event Grid-triggered function (dev.aksrouteguard.function.EventGridFunction).
@export()
var eventFunctionName = 'OnResourceWrite'

// The Storage queues of the function app's storage account (identity-based AzureWebJobsStorage connection), created
// by storage.bicep; the guard's identity gets Storage Queue Data Contributor on each (functionapp.bicep).
// - routeguard-retry (dev.aksrouteguard.queue.StorageRetryQueue.NAME): work the Event Grid function hands on,
//   read by the queue-triggered RetryRepair;
// - routeguard-retry-poison (StorageRetryQueue.POISON_NAME): given-up work, and messages the host gave up on;
// - routeguard-alerts (dev.aksrouteguard.teams.TeamsAlertQueue.NAME): rendered Teams alerts, read by DeliverAlert;
// - routeguard-alerts-poison (TeamsAlertQueue.POISON_NAME): alerts Teams would not take after the last attempt.
// The poison names are the Functions host's convention, <queue>-poison.
@export()
var guardQueues = [
  'routeguard-retry'
  'routeguard-retry-poison'
  'routeguard-alerts'
  'routeguard-alerts-poison'
]

// ARM write events only: the guard repairs what a successful write broke.
@export()
var includedEventTypes = [
  'Microsoft.Resources.ResourceWriteSuccess'
]

// data.operationName values the code maps to subnets (dev.aksrouteguard.core.Operations.HANDLED). Event Grid
// compares StringIn values case-insensitively, which matters because ARM's casing of operation names varies.
@export()
var handledOperations = [
  'Microsoft.Network/virtualNetworks/subnets/write'
  'Microsoft.Network/virtualNetworks/write'
  'Microsoft.ContainerService/managedClusters/write'
  'Microsoft.ContainerService/managedClusters/agentPools/write'
]

// The custom role, read half: everything REMEDIATION_MODE=report needs. The guard reads with subscription-wide
// list calls and GETs the one subnet it reconciles.
@export()
var guardReadActions = [
  // List managed clusters: networkProfile (kubenet?, podCidr) and agentPoolProfiles[].vnetSubnetID come inline,
  // so Microsoft.ContainerService/managedClusters/agentPools/read is not needed (the code never lists pools).
  'Microsoft.ContainerService/managedClusters/read'
  // List virtual networks (subnets come inline at properties.subnets[]).
  'Microsoft.Network/virtualNetworks/read'
  // GET the subnet being reconciled; also the guard's own GET of the result after the PUT's async operation.
  'Microsoft.Network/virtualNetworks/subnets/read'
  // List route tables to find each kubenet cluster's table (AKS-managed in the node resource group, or BYO).
  'Microsoft.Network/routeTables/read'
  // After an outcome (never before a repair), list the deployments of the stripped VNet's resource group to name the
  // ARM/Bicep deployment whose correlation ID the write event carries. Read-only: deployments are never written.
  'Microsoft.Resources/deployments/read'
]

// The custom role, what reading the guarded subscriptions themselves takes: added only in the mode that calls it
// (dev.aksrouteguard.azure.ArmSubscriptions). A guard of one subscription needs neither.
// - A list (AZURE_SUBSCRIPTION_IDS): GET /subscriptions/{id} (api-version 2022-12-01) for each subscription's display
//   name, shown in the audit and on Teams cards. Assigned in each listed subscription, like the rest of the role.
@export()
var guardListedSubscriptionActions = [
  'Microsoft.Resources/subscriptions/read'
]

// - A management group (AZURE_MANAGEMENT_GROUP_ID): GET /providers/Microsoft.Management/managementGroups/{id}/descendants
//   (api-version 2023-04-01), the subscriptions below the group at any depth, with their display names ("Gets all the
//   descendants (Management Groups, Subscriptions) of a Management Group": Learn, Azure permissions for Management and
//   governance). ARM checks it at the group, so the role is assigned there (infra/managementgroup.bicep), which also
//   covers every subscription below it, those moved in later included.
@export()
var guardManagementGroupActions = [
  'Microsoft.Management/managementGroups/descendants/read'
]

// The custom role, write half: added only when REMEDIATION_MODE=enforce.
@export()
var guardWriteActions = [
  // The repair itself: PUT the subnet back with properties.routeTable.id set.
  'Microsoft.Network/virtualNetworks/subnets/write'
  // Poll the PUT's Azure-AsyncOperation URL (.../providers/Microsoft.Network/locations/{region}/operations/{id}).
  // ARM authorizes the poll like any GET; Microsoft's built-in roles that write subnets carry this action.
  // Only writes create async operations, so report mode does without it. (Location-header polling,
  // .../locations/operationResults/read, is not used: a subnet PUT answers with Azure-AsyncOperation.)
  'Microsoft.Network/locations/operations/read'
  // Linked access check on the route table the PUT associates.
  'Microsoft.Network/routeTables/join/action'
  // A subnet PUT replaces the whole subnet, and ARM re-runs the linked access check for every resource the body
  // references, unchanged or not (403 LinkedAuthorizationFailed otherwise). The guard sends back what it read:
  'Microsoft.Network/networkSecurityGroups/join/action' // properties.networkSecurityGroup.id
  'Microsoft.Network/natGateways/join/action' // properties.natGateway.id
  'Microsoft.Network/serviceEndpointPolicies/join/action' // properties.serviceEndpointPolicies[].id
  // Deliberately absent (add one only if a LinkedAuthorizationFailed in the logs names it); docs/deploy.md cites why:
  // - Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action: what a storage account or SQL server
  //   needs to join a subnet through a service endpoint, not what a subnet PUT carrying service endpoints needs.
  // - Microsoft.Network/networkIntentPolicies/join/action: intent policies sit on delegated, service-managed
  //   subnets (e.g. SQL Managed Instance); AKS node subnets cannot be delegated.
  // - Microsoft.Network/networkManagers/ipamPools/associateResourcesToPool/action: only for subnets that allocate
  //   from a Virtual Network Manager IPAM pool (properties.ipamPoolPrefixAllocations). A subnet write in a
  //   pool-allocated VNet is reported to need it on the pool (Azure/Azure-Landing-Zones#4166); whether an
  //   unchanged allocation is re-checked is not documented, and the pool often sits in a platform subscription
  //   this role is not assigned in: grant it on the pool (docs/deploy.md, assumption 6).
  // - ipAllocations, delegations: the Microsoft.Network operations list has no join action for either.
  // - Microsoft.Network/ddosProtectionPlans/join/action: a VNet property; the guard never writes VNets.
  // - Microsoft.Network/virtualNetworks/subnets/join/action: for resources that join a subnet (NICs, apps),
  //   not for writing the subnet.
]

// ---- What the alerts read from the guard's logs (docs/deploy.md, "Alerts"). The Terraform module carries the
// same text; AlertQueriesMatchTheLogsTest runs them against the log lines the code writes. ----

// The Functions host sends each function's log lines to Application Insights as traces, with the function's name as
// OperationName and the Java level as SeverityLevel (INFO 1, WARNING 2); the workspace table is AppTraces.
// A sweep that ran to its end writes one summary line, `sweep mode=... took=...ms armReads=... armWrites=...`, with
// ` error=...` appended when it could not list the subscription. Zero rows still summarize to one row with 0.
@export()
var sweepSucceededQuery = '''
AppTraces
| where OperationName == "DriftSweep"
| where Message startswith "sweep mode=" and Message !contains " error="
| summarize SucceededSweeps = count()
'''

// Every failed outcome is one Warning line starting with `failed ` (an event, a subnet in a sweep, or a retry of
// work the event function handed on, which is where work given up after the last retry is reported), and so is work
// dropped as unreadable (a malformed event, a retry message) and every Teams alert not delivered (`failed alerts: `,
// in any function, DeliverAlert included); a sweep that could not list the subscription is a Warning summary line
// with ` error=`. A `failed alerts: ` line is taken whatever its OperationName: the Teams sink logs on the app's own
// logger (often from its background thread), which reaches Application Insights only as a Host.Function.Console trace
// of the worker's stderr, outside any invocation (wiring/ConsoleLines says why).
@export()
var failedQuery = '''
AppTraces
| where SeverityLevel >= 2
| where (OperationName in ("OnResourceWrite", "DriftSweep", "RetryRepair", "DeliverAlert")
    and (Message startswith "failed " or (Message startswith "sweep mode=" and Message contains " error=")))
    or Message startswith "failed alerts: "
| project TimeGenerated, OperationName, Message
'''
