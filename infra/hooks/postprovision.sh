#!/bin/sh
# azd postprovision hook: a guard of a management group gets its custom role at the group.
#
# A subscription deployment (infra/main.bicep, the one azd runs) cannot write to a management group, so the role that
# covers every subscription below the group, and the group's descendants listing the guard discovers them with, comes
# from a management-group deployment of its own: infra/managementgroup.bicep. This hook runs it after every provision
# (it is idempotent); for a guard of one subscription or a list (GUARD_MANAGEMENT_GROUP_ID empty) it does nothing.
#
# azd passes the environment's values (the outputs of infra/main.bicep) as environment variables.
set -eu

if [ -z "${GUARD_MANAGEMENT_GROUP_ID:-}" ]; then
  exit 0
fi

: "${GUARD_IDENTITY_PRINCIPAL_ID:?run azd provision first}"
: "${AZURE_LOCATION:?run azd provision first}"

if ! command -v az >/dev/null 2>&1; then
  echo "aks-route-guard: the Azure CLI is needed to give the guard its role at management group ${GUARD_MANAGEMENT_GROUP_ID}" >&2
  echo "  (docs/deploy.md, \"Many subscriptions\"); install it, sign in with az login, and run azd provision again" >&2
  exit 1
fi

echo "aks-route-guard: defining and assigning the guard's role at management group ${GUARD_MANAGEMENT_GROUP_ID}"
az deployment mg create --name aks-route-guard-role --management-group-id "$GUARD_MANAGEMENT_GROUP_ID" \
  --location "$AZURE_LOCATION" --template-file infra/managementgroup.bicep \
  --parameters principalId="$GUARD_IDENTITY_PRINCIPAL_ID" remediationMode="${GUARD_REMEDIATION_MODE:-report}" \
  --output none
