#!/bin/sh
# azd postdeploy hook: create the Event Grid event subscriptions (one per guarded subscription) once the function code
# is deployed.
#
# Event Grid refuses an event subscription whose Azure Function destination does not exist yet ("Destination
# endpoint not found"), and the function exists only after `azd deploy`. So the first `azd provision` runs with
# deployEventSubscription=false; this hook waits for the Functions host to list the Event Grid function, sets
# DEPLOY_EVENT_SUBSCRIPTION=true in the azd environment and provisions again. Later `azd up` runs provision with
# the event subscription from the start, and this hook does nothing.
#
# azd passes the environment's values (the outputs of infra/main.bicep) as environment variables.
set -eu

if [ "${EVENT_SUBSCRIPTION_DEPLOYED:-false}" = "true" ]; then
  echo "aks-route-guard: event subscription already deployed"
  exit 0
fi

: "${AZURE_RESOURCE_GROUP:?run azd provision first}"
: "${AZURE_FUNCTION_APP_NAME:?run azd provision first}"
: "${EVENT_FUNCTION_NAME:?run azd provision first}"

if command -v az >/dev/null 2>&1; then
  echo "aks-route-guard: waiting for function ${EVENT_FUNCTION_NAME} on ${AZURE_FUNCTION_APP_NAME}"
  tries=0
  until az functionapp function show --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
      --function-name "$EVENT_FUNCTION_NAME" --output none 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      echo "aks-route-guard: ${EVENT_FUNCTION_NAME} is not listed after 5 minutes; check the deployment, then run" >&2
      echo "  azd env set DEPLOY_EVENT_SUBSCRIPTION true && azd provision" >&2
      exit 1
    fi
    sleep 10
  done
else
  echo "aks-route-guard: Azure CLI not found; giving the Functions host 60 s to index the functions"
  sleep 60
fi

azd env set DEPLOY_EVENT_SUBSCRIPTION true
azd provision --no-prompt
