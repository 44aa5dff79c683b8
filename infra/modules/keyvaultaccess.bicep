// Optional: lets the guard's identity read the Teams webhook secret through a Key Vault reference. Deployed in
// the vault's resource group when main.bicep's teamsWebhookKeyVaultId is set; RBAC vaults only (for an access
// policy vault, grant the identity "get" on secrets yourself). The role is assigned on the one secret, not the
// vault: a shared vault's other secrets stay out of the guard's reach (Key Vault RBAC takes roles at secret scope).

param keyVaultName string
param secretName string
param principalId string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

// Microsoft.KeyVault/vaults@2023-07-01:
// https://learn.microsoft.com/azure/templates/microsoft.keyvault/2023-07-01/vaults
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// Microsoft.KeyVault/vaults/secrets@2023-07-01:
// https://learn.microsoft.com/azure/templates/microsoft.keyvault/2023-07-01/vaults/secrets
resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: secretName
}

// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(secret.id, principalId, keyVaultSecretsUser)
  scope: secret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
