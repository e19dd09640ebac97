package io.ferry.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;

class DeviceSpecTest {

  @Test
  void anIdWithColonsEndsAtTheFirstFieldNamingAType() {
    DeviceSpec spec = DeviceSpec.parse("0000:00:03.0/vfio:synthetic:size=256MiB,seed=9");
    assertEquals("0000:00:03.0/vfio", spec.id());
    Config d = spec.device();
    assertEquals("0000:00:03.0/vfio", d.getString("id"));
    assertEquals("synthetic", d.getString("model.type"));
    assertEquals(256L << 20, d.getBytes("model.size"));
    assertEquals(9, d.getLong("model.seed"));
  }

  @Test
  void deviceKeysStayOnTheDeviceAndDottedKeysNest() {
    Config d = DeviceSpec.parse(
        "f0:faulty:multifd-transfer=off,instance=2,inner.type=config-only,fail-arc=STOP->STOP_COPY")
        .device();
    assertEquals("off", d.getString("multifd-transfer"));
    assertEquals(2, d.getInt("instance"));
    assertFalse(d.hasPath("model.multifd-transfer"));
    assertEquals("config-only", d.getString("model.inner.type"));
    assertEquals("STOP->STOP_COPY", d.getString("model.fail-arc"));
  }

  @Test
  void aTypeAloneIsEnough() {
    Config d = DeviceSpec.parse("nic1:config-only").device();
    assertEquals("config-only", d.getString("model.type"));
    assertEquals(2, d.root().size());
  }

  @Test
  void valuesBecomeNumbersBooleansOrStrings() {
    Config d = DeviceSpec.parse("g:synthetic:hot-fraction=0.25,p2p=false,precopy=on").device();
    assertEquals(0.25, d.getDouble("model.hot-fraction"));
    assertFalse(d.getBoolean("model.p2p"));
    assertTrue(d.getBoolean("model.precopy"));
  }

  @Test
  void malformedDeclarationsSayWhatWasExpected() {
    IllegalArgumentException noType =
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("gpu0:gpu:size=1"));
    assertTrue(noType.getMessage().contains("TYPE one of synthetic, config-only, file, faulty"),
        noType.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("synthetic"));
    assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse(":synthetic"));
    IllegalArgumentException noValue = assertThrows(IllegalArgumentException.class,
        () -> DeviceSpec.parse("g:synthetic:size"));
    assertTrue(noValue.getMessage().contains("expected KEY=VALUE, got 'size'"),
        noValue.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("g:synthetic:Size=1"));
    assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("g:synthetic:role=source"));
  }
}
