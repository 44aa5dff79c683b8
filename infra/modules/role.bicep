// The guard's custom role when it guards one subscription or a list: one role definition whose actions follow
// REMEDIATION_MODE (switching enforce -> report removes the write actions from the same role, so no write-capable
// role is left behind by an incremental deployment) and what reading the guarded subscriptions takes (a list's
// display names). It is written in the deployment's subscription and assignable in every guarded subscription;
// roleassignment.bicep assigns it in each of them. A guard of a management group defines and assigns its role at the
// group instead (infra/managementgroup.bicep).

targetScope = 'subscription'

import { guardReadActions, guardListedSubscriptionActions, guardWriteActions } from 'contract.bicep'

@allowed(['enforce', 'report'])
param remediationMode string
@description('The guarded subscriptions\' IDs: the role is assignable in each.')
param guardedSubscriptionIds array
@description('True when the guard reads a list (AZURE_SUBSCRIPTION_IDS): it then reads each subscription\'s display name.')
param listed bool

// Microsoft.Authorization/roleDefinitions@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roledefinitions
resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'aks-route-guard')
  properties: {
    // Custom role names are unique per tenant: one guard per deploying subscription, so its ID disambiguates.
    roleName: 'AKS Route Guard (${subscription().subscriptionId})'
    description: 'Lets aks-route-guard read AKS clusters, virtual networks and route tables, and (enforce mode) re-associate a kubenet node subnet with its route table. Mode: ${remediationMode}.'
    type: 'CustomRole'
    permissions: [
      {
        actions: concat(guardReadActions, listed ? guardListedSubscriptionActions : [], remediationMode == 'enforce' ? guardWriteActions : [])
        notActions: []
      }
    ]
    // Creating or updating the role takes Microsoft.Authorization/roleDefinitions/write in every one of these (Learn,
    // Azure custom roles). This subscription, where the definition is written, is one of them even when it is not
    // guarded: assignable is not assigned, and the role is assigned only where roleassignment.bicep puts it.
    assignableScopes: concat([subscription().id], map(filter(guardedSubscriptionIds, id => id != toLower(subscription().subscriptionId)), id => '/subscriptions/${id}'))
  }
}

output roleDefinitionId string = role.id
output roleDefinitionName string = role.name
