// Lets the system topic's identity write dead letters, and nothing else: Storage Blob Data Contributor on the
// dead-letter container only. Role per destination: https://learn.microsoft.com/azure/event-grid/add-identity-roles

param storageAccountName string
param containerName string
param principalId string

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

// Microsoft.Storage/storageAccounts@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

// Microsoft.Storage/storageAccounts/blobServices@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/blobservices
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

// Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/blobservices/containers
resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: containerName
}

// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, principalId, storageBlobDataContributor)
  scope: container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
