// Starts the merchant's Shopify Flow workflows that begin with one of Tally's trigger extensions
// (extensions/tally-flow-*): the handle names the trigger, the payload carries its fields.
export const FLOW_TRIGGER_RECEIVE = `#graphql
  mutation FlowTriggerReceive($handle: String, $payload: JSON) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;
