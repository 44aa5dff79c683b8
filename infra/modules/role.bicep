// The guard's custom role, assigned to its identity at subscription scope. One role definition whose actions
// follow REMEDIATION_MODE: switching enforce -> report removes the write actions from the same role, so no
// write-capable role or assignment is left behind by an incremental deployment.

targetScope = 'subscription'

import { guardReadActions, guardWriteActions } from 'contract.bicep'

@allowed(['enforce', 'report'])
param remediationMode string
param principalId string

// Microsoft.Authorization/roleDefinitions@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roledefinitions
resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'aks-route-guard')
  properties: {
    // Custom role names are unique per tenant: one guard per subscription, so the subscription ID disambiguates.
    roleName: 'AKS Route Guard (${subscription().subscriptionId})'
    description: 'Lets aks-route-guard read AKS clusters, virtual networks and route tables, and (enforce mode) re-associate a kubenet node subnet with its route table. Mode: ${remediationMode}.'
    type: 'CustomRole'
    permissions: [
      {
        actions: remediationMode == 'enforce' ? concat(guardReadActions, guardWriteActions) : guardReadActions
        notActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, role.id)
  properties: {
    roleDefinitionId: role.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output roleDefinitionId string = role.id
