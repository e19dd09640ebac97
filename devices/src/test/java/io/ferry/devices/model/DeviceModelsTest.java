package io.ferry.devices.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ferry.devices.model.faulty.FaultyDevice;
import io.ferry.devices.model.file.FileBackedDevice;
import io.ferry.devices.model.nic.ConfigOnlyDevice;
import io.ferry.devices.model.synthetic.SyntheticDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceModelsTest {

  private static Config hocon(String s) {
    return ConfigFactory.parseString(s);
  }

  @Test
  void aSyntheticDeviceTakesHoconSizesAndDefaults() throws Exception {
    DeviceModel d =
        DeviceModels.create(
            "gpu0",
            hocon(
                "type = synthetic, size = 1 GiB, page-size = 2 MiB, precopy = on, dirty-rate = 50"
                    + " MiB"),
            Role.SOURCE);
    SyntheticDevice s = assertInstanceOf(SyntheticDevice.class, d);
    assertEquals("synthetic", d.kind());
    assertEquals(1L << 30, s.geometry().size());
    assertEquals(512, s.geometry().pageCount());
    assertEquals(MigrationFeatures.ALL, d.features());
    assertEquals(1L << 30, d.digest().stateBytes());

    SyntheticDevice def =
        (SyntheticDevice) DeviceModels.create("d", hocon("type = synthetic"), Role.DESTINATION);
    assertEquals(64L << 20, def.geometry().size());
    assertEquals(64 << 10, def.geometry().pageSize());
    assertEquals(MigrationFeatures.STOP_COPY | MigrationFeatures.P2P, def.features());
    assertEquals(0, def.digest().stateBytes(), "a destination starts empty");
  }

  @Test
  void aConfigOnlyDeviceAcceptsHexIds() {
    DeviceModel d =
        DeviceModels.create(
            "nic0",
            hocon(
                "type = config-only, queues = 4, vendor-id = 0x15b3, state-size = 20 KiB, p2p ="
                    + " off"),
            Role.SOURCE);
    ConfigOnlyDevice n = assertInstanceOf(ConfigOnlyDevice.class, d);
    assertEquals(4, n.queues());
    assertEquals(
        0x15b3,
        java.nio.ByteBuffer.wrap(n.stateBytes())
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .getInt(12));
    assertEquals(MigrationFeatures.STOP_COPY, d.features());
    assertEquals(20 << 10, d.digest().stateBytes());
  }

  @Test
  void aFileDeviceNeedsAPath(@TempDir Path dir) throws Exception {
    Path p = dir.resolve("x.img");
    DeviceModel d =
        DeviceModels.create(
            "f0",
            hocon("type = file, path = \"" + p + "\", size = 100 KiB, seed = 3"),
            Role.SOURCE);
    assertInstanceOf(FileBackedDevice.class, d);
    assertEquals(100 << 10, Files.size(p));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DeviceModels.create("f1", hocon("type = file"), Role.SOURCE));
    assertEquals("device f1: file device needs 'path'", e.getMessage());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DeviceModels.create(
                    "f2",
                    hocon("type = file, path = \"" + dir.resolve("no.img") + "\""),
                    Role.SOURCE));
    assertTrue(
        missing.getMessage().startsWith("device f2: source file ")
            && missing.getMessage().endsWith("does not exist (set size to create it)"),
        missing.getMessage());
  }

  @Test
  void aFaultyDeviceWrapsItsInnerConfig() throws Exception {
    DeviceModel d =
        DeviceModels.create(
            "v0",
            hocon(
                "type = faulty\n"
                    + "fail-arc = \"STOP->STOP_COPY\"\n"
                    + "fail-into-error = on\n"
                    + "short-reads = on\n"
                    + "stall-after = 1 MiB\n"
                    + "inner { type = synthetic, size = 1 MiB, page-size = 4 KiB }"),
            Role.SOURCE);
    FaultyDevice f = assertInstanceOf(FaultyDevice.class, d);
    assertEquals("synthetic", d.kind(), "the wrapped device's kind");
    assertInstanceOf(SyntheticDevice.class, f.inner());
    String plan = f.plan().toString();
    assertTrue(plan.contains("fail-arc=STOP->STOP_COPY errno=EIO into-error=true"), plan);
    assertTrue(plan.contains("short-reads=1.0") && plan.contains("stall-after=1048576"), plan);
    assertThrows(DeviceException.class, () -> d.setState(MigrationState.STOP_COPY));
    assertEquals(MigrationState.ERROR, d.state());
  }

  @Test
  void unknownTypesKeysAndValuesAreRejectedWithTheKeyNamed() {
    IllegalArgumentException t =
        assertThrows(
            IllegalArgumentException.class,
            () -> DeviceModels.create("d", hocon("type = gpu"), Role.SOURCE));
    assertEquals(
        "device d: type expected one of synthetic, config-only, file, faulty, got 'gpu'",
        t.getMessage());
    IllegalArgumentException k =
        assertThrows(
            IllegalArgumentException.class,
            () -> DeviceModels.create("d", hocon("type = synthetic, sise = 1 GiB"), Role.SOURCE));
    assertTrue(
        k.getMessage().startsWith("device d: unknown keys [sise]; known keys: ["), k.getMessage());
    IllegalArgumentException v =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DeviceModels.create(
                    "d", hocon("type = synthetic, precopy-end = eof"), Role.SOURCE));
    assertTrue(
        v.getMessage().contains("precopy-end expected one of [ENOMSG, ZERO]"), v.getMessage());
    IllegalArgumentException a =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DeviceModels.create(
                    "d",
                    hocon("type = faulty, fail-arc = STOP, inner { type = synthetic }"),
                    Role.SOURCE));
    assertTrue(a.getMessage().contains("fail-arc expected \"FROM->TO\""), a.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DeviceModels.create("d", hocon("type = synthetic, page-size = 100"), Role.SOURCE));
  }
}
