/** Metric names the reconciler publishes and the stack alarms on (lib/order-reconciler.ts). */
export const RECONCILER_METRICS = {
  overdue: 'OverdueOrders',
  redriven: 'OrdersRedriven',
  givenUp: 'OrdersGivenUp',
  repeated: 'OrdersRedrivenAgain',
  maxOverdueSeconds: 'MaxOverdueSeconds',
  paymentsTimedOut: 'PaymentsTimedOut',
} as const;
