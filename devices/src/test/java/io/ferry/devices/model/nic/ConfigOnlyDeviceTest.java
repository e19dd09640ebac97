package io.ferry.devices.model.nic;

import static io.ferry.devices.model.MigrationState.PRE_COPY;
import static io.ferry.devices.model.MigrationState.RESUMING;
import static io.ferry.devices.model.MigrationState.STOP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.devices.model.DeviceException;
import io.ferry.devices.model.Errno;
import io.ferry.devices.model.MigrationFeatures;
import io.ferry.devices.model.Pipe;
import io.ferry.devices.model.ResumingStream;
import io.ferry.devices.model.Role;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ConfigOnlyDeviceTest {

  @Test
  void theStateIsTensOfKibOfTablesWithACompatBlockAndNoPrecopy() throws Exception {
    ConfigOnlyDevice d = ConfigOnlyDevice.builder("nic0").queues(8).build();
    byte[] s = d.stateBytes();
    assertEquals(48 << 10, s.length);
    ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x1af4, b.getInt(12));
    assertEquals(8, b.getInt(20));
    assertEquals(9, b.getInt(32), "MSI-X vectors = queues + 1");
    assertEquals(1024, b.getInt(64 + 8), "ring size of queue 0");
    assertEquals(MigrationFeatures.STOP_COPY | MigrationFeatures.P2P, d.features());
    assertEquals(
        Errno.EINVAL, assertThrows(DeviceException.class, () -> d.setState(PRE_COPY)).errno());
    assertEquals(128 + (48 << 10) + 24, d.stopCopyLength());
    assertArrayEquals(s, ConfigOnlyDevice.builder("nic0").queues(8).build().stateBytes(), "seeded");
  }

  @Test
  void aSourceWithADifferentQueueCountIsRefusedAtTheHeaderWrite() throws Exception {
    ConfigOnlyDevice src = ConfigOnlyDevice.builder("nic0").queues(4).build();
    Pipe.Saved saved = Pipe.save(src, Pipe.fixed(1 << 20));
    ConfigOnlyDevice dst =
        ConfigOnlyDevice.builder("nic0").queues(8).role(Role.DESTINATION).build();
    ResumingStream s = (ResumingStream) dst.setState(RESUMING).orElseThrow();
    assertEquals(127, s.write(ByteBuffer.wrap(saved.stream(), 0, 127)), "header not yet complete");
    DeviceException e =
        assertThrows(
            DeviceException.class, () -> s.write(ByteBuffer.wrap(saved.stream(), 127, 100)));
    assertEquals(Errno.EINVAL, e.errno());
    assertEquals(
        "device nic0: incompatible source: queues expected 8, got 4 (EINVAL)", e.getMessage());
    DeviceException stop = assertThrows(DeviceException.class, () -> dst.setState(STOP));
    assertTrue(stop.detail().contains("queues expected 8, got 4"), stop.detail());
    DeviceException cfg = assertThrows(DeviceException.class, () -> dst.loadConfig(saved.config()));
    assertEquals("incompatible config: queues expected 8, got 4", cfg.detail());
    assertNull(dst.stateBytes());
  }

  @Test
  void otherCompatFieldsAreCheckedToo() throws Exception {
    Pipe.Saved saved =
        Pipe.save(ConfigOnlyDevice.builder("nic0").vendorId(0x15b3).build(), Pipe.fixed(1 << 20));
    ConfigOnlyDevice dst = ConfigOnlyDevice.builder("nic0").role(Role.DESTINATION).build();
    ResumingStream s = (ResumingStream) dst.setState(RESUMING).orElseThrow();
    DeviceException e =
        assertThrows(DeviceException.class, () -> s.write(ByteBuffer.wrap(saved.stream())));
    assertEquals("incompatible source: vendor id expected 0x00001af4, got 0x000015b3", e.detail());

    Pipe.Saved bigger =
        Pipe.save(
            ConfigOnlyDevice.builder("nic0").stateSize(64 << 10).build(), Pipe.fixed(1 << 20));
    ConfigOnlyDevice dst2 = ConfigOnlyDevice.builder("nic0").role(Role.DESTINATION).build();
    ResumingStream s2 = (ResumingStream) dst2.setState(RESUMING).orElseThrow();
    DeviceException e2 =
        assertThrows(DeviceException.class, () -> s2.write(ByteBuffer.wrap(bigger.stream())));
    assertEquals("incompatible source: state size expected 49152, got 65536", e2.detail());
  }

  @Test
  void aCompatibleLoadCopiesTheTablesExactly() throws Exception {
    ConfigOnlyDevice src =
        ConfigOnlyDevice.builder("nic0").queues(16).stateSize(20_000).seed(8).build();
    ConfigOnlyDevice dst =
        ConfigOnlyDevice.builder("nic0")
            .queues(16)
            .stateSize(20_000)
            .role(Role.DESTINATION)
            .build();
    Pipe.Saved saved = Pipe.save(src, Pipe.fixed(4096));
    Pipe.load(dst, saved, Pipe.random(4, 333));
    assertArrayEquals(src.stateBytes(), dst.stateBytes());
    assertTrue(src.digest().matches(dst.digest()));
    assertEquals(20_000, dst.digest().stateBytes());
  }

  @Test
  void parametersAreValidated() {
    assertThrows(
        IllegalArgumentException.class, () -> ConfigOnlyDevice.builder("n").queues(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> ConfigOnlyDevice.builder("n").queues(64).stateSize(1000).build());
    assertEquals(64 + 8 * 64 + 9 * 16 + 512 + 8 * 32, ConfigOnlyDevice.minimumStateSize(8));
  }
}
