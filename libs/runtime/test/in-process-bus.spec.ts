import { newId } from '@org-mgmt/contracts';
import { createLogger, InProcessEventBus } from '../src';

/** Embedded mode: a closed bus waits for no redelivery (a pending backoff timer would keep the process alive). */
describe('the in-process event bus on close', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('drops the redelivery wait of a failing handler', async () => {
    const bus = new InProcessEventBus(createLogger('silent', 'test'));
    let attempts = 0;
    await bus.subscribe({
      durable: 'failing',
      subject: 'org.updated',
      handler: async () => {
        attempts++;
        throw new Error('not now');
      },
    });
    await bus.publish({
      id: newId('event'),
      type: 'org.updated',
      version: 1,
      occurredAt: Date.now(),
      orgId: null,
      data: {},
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(attempts).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
    await bus.close();
    await jest.advanceTimersByTimeAsync(0);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(attempts).toBe(1);
  });
});
