/**
 * @module decode/labels
 * A pod's labels, kept only as far as the run writes them. The run writes them once, as the
 * `labels` tag (`key:value` pairs joined by commas, derive/tags); a pod may carry far more
 * (1.4 MB of valid labels fit in one etcd object), and a run keeps every pod until it ends.
 * So each pod keeps at most LABELS_MAX_BYTES of labels, counted as the tag's bytes, in the
 * order the API server sends them (sorted by key, in JSON and in protobuf alike); the rest are
 * dropped and counted in `labelsDropped`, which kube/list logs. Pure.
 */

/** Bytes of `key:value,` text kept per pod: 4 KiB, over ten times a typical pod's labels. */
export const LABELS_MAX_BYTES = 4096;

export class LabelsCap {
  readonly labels: Record<string, string> = {};
  /** Labels dropped once the cap was reached. */
  dropped = 0;
  private bytes = 0;

  add(key: string, value: string): void {
    // UTF-16 length: a lower bound of the UTF-8 bytes, exact for the ASCII that labels hold.
    const size = key.length + value.length + 2;
    if (this.dropped > 0 || this.bytes + size > LABELS_MAX_BYTES) {
      this.dropped++;
      return;
    }
    this.bytes += size;
    this.labels[key] = value;
  }
}
