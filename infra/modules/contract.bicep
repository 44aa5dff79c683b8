// What the guard's code and this deployment must agree on, in one place. The Terraform module keeps the same
// values in `locals` (infra/terraform/main.tf); src/guard/test/java/dev/aksrouteguard/infra/ checks both against the code.
//
// Compile-time imports (`@export()` / `import {...} from`) need Bicep 0.25 or later:
// https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-import

// The @FunctionName of the Event Grid-triggered function (dev.aksrouteguard.function.EventGridFunction).
@export()
var eventFunctionName = 'OnResourceWrite'

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
  // GET the subnet being reconciled; also the SDK's final GET after the PUT's async operation.
  'Microsoft.Network/virtualNetworks/subnets/read'
  // List route tables to find each kubenet cluster's table (AKS-managed in the node resource group, or BYO).
  'Microsoft.Network/routeTables/read'
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
  'Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action' // properties.serviceEndpoints[]
  // Deliberately absent (add one only if a LinkedAuthorizationFailed in the logs names it):
  // - Microsoft.Network/networkIntentPolicies/join/action: intent policies sit on delegated, service-managed
  //   subnets (e.g. SQL Managed Instance); AKS node subnets cannot be delegated.
  // - Microsoft.Network/networkManagers/ipamPools/associateResourcesToPool/action: only for subnets that allocate
  //   from a Virtual Network Manager IPAM pool (properties.ipamPoolPrefixAllocations); whether an unchanged
  //   allocation is re-checked is not documented.
  // - ipAllocations, delegations: the Microsoft.Network operations list has no join action for either.
  // - Microsoft.Network/ddosProtectionPlans/join/action: a VNet property; the guard never writes VNets.
  // - Microsoft.Network/virtualNetworks/subnets/join/action: for resources that join a subnet (NICs, apps),
  //   not for writing the subnet.
]
