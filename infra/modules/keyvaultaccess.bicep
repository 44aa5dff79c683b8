// Optional: lets the guard's identity read the Teams webhook secret through a Key Vault reference. Deployed in
// the vault's resource group when main.bicep's teamsWebhookKeyVaultId is set; RBAC vaults only (for an access
// policy vault, grant the identity "get" on secrets yourself).

param keyVaultName string
param principalId string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

// Microsoft.KeyVault/vaults@2023-07-01:
// https://learn.microsoft.com/azure/templates/microsoft.keyvault/2023-07-01/vaults
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
