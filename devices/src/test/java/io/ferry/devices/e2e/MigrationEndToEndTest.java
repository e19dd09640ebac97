package io.ferry.devices.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceDigest;
import io.ferry.devices.model.MigrationState;
import io.ferry.engine.config.MigrationParameters;
import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole migrations between two nodes on loopback (two ActorSystems, Artery control, TCP data),
 * judged by digests: the destination must hold exactly the source's state.
 */
class MigrationEndToEndTest {

  @TempDir Path dir;

  private String devices(Path srcFile, Path dstFile, String gpuMode, String nicMode,
      String fileMode) {
    return """
        { id = "0000:00:03.0/vfio", multifd-transfer = %s,
          model { type = synthetic, size = 1 GiB, seed = 42 } },
        { id = "nic0", multifd-transfer = %s,
          model { type = config-only, queues = 8, seed = 7 } },
        { id = "disk0", multifd-transfer = %s,
          model { type = file, path = "%s" } }
        """.formatted(gpuMode, nicMode, fileMode, "%s");
  }

  private TwoNodes nodes(String gpu, String nic, String file) throws IOException {
    Path src = dir.resolve("src.img");
    Path dst = dir.resolve("dst.img");
    if (!Files.exists(src)) {
      byte[] b = new byte[3 * 1024 * 1024 + 123];
      new Random(5).nextBytes(b);
      Files.write(src, b);
    }
    String template = devices(src, dst, gpu, nic, file);
    return new TwoNodes(template.formatted(src), template.formatted(dst));
  }

  private static final List<String> ALL = List.of("0000:00:03.0/vfio", "nic0", "disk0");

  private static void assertMigrated(TwoNodes n, MigrationInfo info) {
    assertEquals(MigrationStatus.COMPLETED, info.status(), () -> "error: " + info.error());
    assertTrue(info.succeeded(), () -> "digests: " + info.devices());
    for (MigrationInfo.DeviceReport r : info.devices()) {
      DeviceDigest dst = n.destination.models().get(r.deviceId()).digest();
      assertEquals(r.sourceDigest().stateDigest(), dst.stateDigest(), r.deviceId());
      assertEquals(r.sourceDigest().stateBytes(), dst.stateBytes(), r.deviceId());
      assertEquals(r.sourceDigest().configDigest(), dst.configDigest(), r.deviceId());
      assertEquals(MigrationState.RUNNING, n.destination.models().get(r.deviceId()).state());
      assertEquals(MigrationState.STOP, n.source.models().get(r.deviceId()).state());
    }
    assertTrue(info.downtimeMs() >= 0);
    assertTrue(info.totalBytes() > 1L << 30, "total bytes " + info.totalBytes());
  }

  private static Map<String, String> digests(MigrationInfo info) {
    Map<String, String> m = new TreeMap<>();
    info.devices().forEach(r -> m.put(r.deviceId(), r.destinationDigest().toString()));
    return m;
  }

  @Test
  void threeDevicesOverFourMultifdChannelsArriveIdentical() throws IOException {
    try (TwoNodes n = nodes("auto", "auto", "auto")) {
      MigrationInfo info = n.migrate(n.params().withChannels(4), ALL);
      assertMigrated(n, info);
      assertTrue(info.devices().stream().allMatch(MigrationInfo.DeviceReport::multifd));
      assertEquals(4, info.multifdChannelBytes().size());
      assertTrue(info.multifdChannelBytes().stream().allMatch(b -> b > 0),
          "every channel carried data: " + info.multifdChannelBytes());
    }
  }

  @Test
  void legacyModeProducesTheSameStateAsMultifd() throws IOException {
    Map<String, String> multifd;
    try (TwoNodes n = nodes("auto", "auto", "auto")) {
      multifd = digests(n.migrate(n.params().withChannels(2), ALL));
    }
    try (TwoNodes n = nodes("auto", "auto", "auto")) {
      MigrationInfo info = n.migrate(n.params().withMultifd(false), ALL);
      assertMigrated(n, info);
      assertTrue(info.devices().stream().noneMatch(MigrationInfo.DeviceReport::multifd));
      assertEquals(multifd, digests(info));
    }
  }

  @Test
  void aMixOfOnOffAndAutoDevicesMigratesInOneMigration() throws IOException {
    try (TwoNodes n = nodes("on", "off", "auto")) {
      MigrationInfo info = n.migrate(n.params().withChannels(2), ALL);
      assertMigrated(n, info);
      Map<String, Boolean> modes = new TreeMap<>();
      info.devices().forEach(r -> modes.put(r.deviceId(), r.multifd()));
      assertEquals(Map.of("0000:00:03.0/vfio", true, "nic0", false, "disk0", true), modes);
    }
  }

  @ParameterizedTest(name = "{0} channel(s)")
  @ValueSource(ints = {1, 8})
  void migratesOverOneAndEightChannels(int channels) throws IOException {
    try (TwoNodes n = nodes("auto", "auto", "auto")) {
      MigrationInfo info = n.migrate(n.params().withChannels(channels), ALL);
      assertMigrated(n, info);
      assertEquals(channels, info.multifdChannelBytes().size());
    }
  }

  @Test
  void aMultifdSettingMismatchIsRefusedAtSetup() throws IOException {
    Path src = dir.resolve("src.img");
    Files.write(src, new byte[4096]);
    String s = "{ id = \"nic0\", multifd-transfer = on, model { type = config-only, queues = 8 } }";
    String d = "{ id = \"nic0\", multifd-transfer = off, model { type = config-only, queues = 8 } }";
    try (TwoNodes n = new TwoNodes(s, d)) {
      var before = n.source.models().get("nic0").digest();
      MigrationInfo info = n.migrate(n.params(), List.of("nic0"));
      assertEquals(MigrationStatus.FAILED, info.status());
      assertNotNull(info.error());
      assertTrue(info.error().contains("multifd transfer mismatch"), info.error());
      assertEquals(MigrationState.RUNNING, n.source.models().get("nic0").state());
      assertEquals(before, n.source.models().get("nic0").digest());
    }
  }
}
