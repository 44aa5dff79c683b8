// The guard's user-assigned managed identity: the custom role is assigned to it (AZURE_CLIENT_ID), and the
// Functions host uses it for storage (AzureWebJobsStorage__clientId) and the deployment package.

param name string
param location string
param tags object

// Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31:
// https://learn.microsoft.com/azure/templates/microsoft.managedidentity/2023-01-31/userassignedidentities
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
