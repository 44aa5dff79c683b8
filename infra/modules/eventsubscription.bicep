// The event subscription that delivers ARM write events to the guard's Event Grid function. Deployed in the
// system topic's resource group (which may not be the guard's, when the subscription already had a topic).
//
// It can only be created once the function's code is deployed: Event Grid checks the destination function exists
// ("Destination endpoint not found" otherwise). main.bicep therefore deploys this module only when
// deployEventSubscription is true; the azd postdeploy hook (infra/hooks/postdeploy.sh) turns it on after the code
// is deployed. See docs/deploy.md.

import { eventFunctionName, includedEventTypes, handledOperations } from 'contract.bicep'

param systemTopicName string
param functionAppId string
param deadLetterStorageAccountId string
param deadLetterContainerName string

// Microsoft.EventGrid/systemTopics@2022-06-15:
// https://learn.microsoft.com/azure/templates/microsoft.eventgrid/2022-06-15/systemtopics
resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

// Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15:
// https://learn.microsoft.com/azure/templates/microsoft.eventgrid/2022-06-15/systemtopics/eventsubscriptions
resource eventSub 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'aks-route-guard'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${eventFunctionName}'
        // The Java Event Grid trigger takes one event per invocation.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: includedEventTypes
      // At most 25 advanced-filter values per event subscription; the guard needs 4.
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: handledOperations
        }
      ]
    }
    // Event Grid's defaults, stated: 30 attempts over 24 hours. The function throws only for failures a
    // redelivery can fix, so retries are Event Grid's; the timer sweep catches anything that still slips through.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    // Events that exhaust their retries land as blobs in the dead-letter container, written with the topic's
    // system-assigned identity (no storage key: shared-key access is disabled on the account).
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output id string = eventSub.id
