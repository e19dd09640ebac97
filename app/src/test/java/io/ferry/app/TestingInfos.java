package io.ferry.app;

import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationInfo.DeviceReport;
import io.ferry.engine.coordinator.MigrationStatus;
import io.ferry.engine.device.StateDigest;
import java.util.List;
import java.util.UUID;

/** Hand-made {@link MigrationInfo}s for display and report tests. */
public final class TestingInfos {
  public static final UUID ID = UUID.fromString("3c0c1a2e-0000-4000-8000-000000000001");
  public static final StateDigest DIGEST =
      new StateDigest("sha-256", "ab".repeat(32), 4096, "cd".repeat(32));
  public static final StateDigest OTHER =
      new StateDigest("sha-256", "ef".repeat(32), 4096, "cd".repeat(32));

  private TestingInfos() {}

  /** A two-device migration at {@code timeMs} with {@code gpuSent} bytes of the GPU sent. */
  public static MigrationInfo running(MigrationStatus status, long timeMs, long gpuSent) {
    return new MigrationInfo(ID, status, 40, timeMs, -1, gpuSent + 2048, 2048,
        List.of(gpuSent / 2, gpuSent - gpuSent / 2), 0,
        List.of(device("gpu0", true, 1L << 30, gpuSent, null),
            device("nic0", false, 4096, 4096, null)),
        null);
  }

  /** A completed migration whose destination digests are {@code gpuDigest} and DIGEST. */
  public static MigrationInfo completed(StateDigest gpuDigest) {
    return new MigrationInfo(ID, MigrationStatus.COMPLETED, 40, 2500, 120, (1L << 30) + 2048,
        2048, List.of(1L << 29, 1L << 29), 409.6,
        List.of(device("gpu0", true, 1L << 30, 1L << 30, gpuDigest),
            device("nic0", false, 4096, 4096, DIGEST)),
        null);
  }

  /**
   * A completed migration whose GPU precopied 1 GiB in 4 passes (with switchover-ack received)
   * and then sent 64 MiB at the switchover; the NIC did not precopy.
   */
  public static MigrationInfo completedWithPrecopy() {
    long gpuPrecopy = 1L << 30;
    long stopCopy = 64L << 20;
    return new MigrationInfo(ID, MigrationStatus.COMPLETED, 40, 3000, 250,
        gpuPrecopy + stopCopy + 2048, gpuPrecopy + 2048, List.of(stopCopy / 2, stopCopy / 2),
        420.0,
        List.of(new DeviceReport("gpu0", "synthetic", true, true, gpuPrecopy, stopCopy,
                gpuPrecopy + stopCopy, 64, stopCopy - 4096, 4096, DIGEST, DIGEST, 0),
            device("nic0", false, 4096, 4096, DIGEST)),
        null,
        new MigrationInfo.PrecopyStats(4, gpuPrecopy, 900L << 20, 70L << 20, 78, 300, true));
  }

  public static MigrationInfo failed(String error) {
    return new MigrationInfo(ID, MigrationStatus.FAILED, -1, 10_000, -1, 0, 0, List.of(), 0,
        List.of(new DeviceReport("gpu0", "synthetic", true, false, 0, 0, 0, 0, 0, 0, null, null, 0)),
        error);
  }

  private static DeviceReport device(String id, boolean multifd, long estimate, long sent,
      StateDigest destination) {
    return new DeviceReport(id, multifd ? "synthetic" : "config-only", multifd, false, 0, estimate,
        sent,
        sent / (1 << 20), sent - 64, 64, DIGEST, destination, 0);
  }
}
