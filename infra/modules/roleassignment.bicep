// The guard's custom role (role.bicep), assigned to its identity in one guarded subscription. main.bicep deploys this
// in each guarded subscription (scope: subscription(id)) when it guards one subscription or a list; a guard of a
// management group is assigned its role once, at the group (infra/managementgroup.bicep).

targetScope = 'subscription'

@description('The role definition\'s GUID (its name).')
param roleDefinitionName string
param principalId string

// The role definition as this subscription names it: a custom role is one tenant-wide definition, assignable in every
// subscription of its assignableScopes.
var roleDefinitionId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionName)

// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleDefinitionId)
  properties: {
    roleDefinitionId: roleDefinitionId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
