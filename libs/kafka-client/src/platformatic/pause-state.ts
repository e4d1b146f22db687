// Which partitions are paused, with kafkajs' rules (src/consumer/subscriptionState.js), so the
// mesh sees the same thing from both adapters: pausing or resuming a whole topic clears the
// partition-level pauses of that topic; resuming one partition of a paused topic lets just that
// partition through. One deliberate difference: kafkajs un-pauses a paused topic when one of its
// partitions is paused; here the topic stays paused (a backpressure pause must not end because a
// handler asked one partition to wait).
import type { TopicPartitions } from '../port.js';

interface TopicPauses {
  all: boolean;
  paused: Set<number>;
  resumed: Set<number>;
}

export class PauseState {
  private readonly topics = new Map<string, TopicPauses>();

  pause(topics: TopicPartitions[]): void {
    this.apply(topics, true);
  }

  resume(topics: TopicPartitions[]): void {
    this.apply(topics, false);
  }

  isPaused(topic: string, partition: number): boolean {
    const state = this.topics.get(topic);
    if (!state) return false;
    return (state.all && !state.resumed.has(partition)) || state.paused.has(partition);
  }

  /** A whole topic resets its partition-level state; listed partitions change one by one. */
  private apply(topics: TopicPartitions[], pausing: boolean): void {
    for (const { topic, partitions } of topics) {
      const state = this.stateOf(topic);
      if (partitions === undefined) {
        state.paused.clear();
        state.resumed.clear();
        state.all = pausing;
        continue;
      }
      for (const partition of partitions) {
        if (pausing) {
          state.paused.add(partition);
          state.resumed.delete(partition);
        } else {
          state.paused.delete(partition);
          if (state.all) state.resumed.add(partition);
        }
      }
    }
  }

  private stateOf(topic: string): TopicPauses {
    let state = this.topics.get(topic);
    if (!state) {
      state = { all: false, paused: new Set(), resumed: new Set() };
      this.topics.set(topic, state);
    }
    return state;
  }
}
