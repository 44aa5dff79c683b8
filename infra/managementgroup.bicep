// aks-route-guard for every subscription below a management group: its custom role, defined at the group and assigned
// to the guard's identity there, so it covers each subscription below the group, those moved in later included, and
// the group's descendants listing (Microsoft.Management/managementGroups/descendants/read, which ARM checks at the
// group). Only a deployment at management-group scope can write there: a subscription deployment, which is what azd
// runs (infra/main.bicep), cannot deploy a module to a management group (Bicep BCP115). So this file is deployed on its
// own, after infra/main.bicep (it needs the identity), by the azd postprovision hook (infra/hooks/postprovision.sh)
// or with `az deployment mg create` (docs/deploy.md, "Many subscriptions").

targetScope = 'managementGroup'

import { guardReadActions, guardManagementGroupActions, guardWriteActions } from 'modules/contract.bicep'

@allowed(['enforce', 'report'])
@description('As main.bicep\'s remediationMode: report reads only; enforce adds the write actions.')
param remediationMode string = 'report'

@description('Object ID of the guard\'s identity: main.bicep\'s output GUARD_IDENTITY_PRINCIPAL_ID.')
param principalId string

// Microsoft.Authorization/roleDefinitions@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roledefinitions
resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(managementGroup().id, 'aks-route-guard')
  properties: {
    // Custom role names are unique per tenant: one guard per management group.
    roleName: 'AKS Route Guard (${managementGroup().name})'
    description: 'Lets aks-route-guard list the subscriptions below this management group, read AKS clusters, virtual networks and route tables in them, and (enforce mode) re-associate a kubenet node subnet with its route table. Mode: ${remediationMode}.'
    type: 'CustomRole'
    permissions: [
      {
        actions: concat(guardReadActions, guardManagementGroupActions, remediationMode == 'enforce' ? guardWriteActions : [])
        notActions: []
      }
    ]
    // A custom role may name one management group in its assignable scopes, and one with DataActions cannot be assigned
    // at a management group (this one has none): Learn, Azure custom roles, "Custom role limits".
    assignableScopes: [
      managementGroup().id
    ]
  }
}

// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, role.id)
  properties: {
    roleDefinitionId: role.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output roleDefinitionId string = role.id
