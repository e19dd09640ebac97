package io.ferry.devices.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceDigestTest {
  private final DeviceDigest a = new DeviceDigest("sha-256", "ab", 10, "cd");

  @Test
  void digestsMatchOnlyIfAllFourFieldsAreEqual() {
    assertTrue(a.matches(new DeviceDigest("sha-256", "ab", 10, "cd")));
    assertFalse(a.matches(new DeviceDigest("sha-512", "ab", 10, "cd")));
    assertFalse(a.matches(new DeviceDigest("sha-256", "ac", 10, "cd")));
    assertFalse(a.matches(new DeviceDigest("sha-256", "ab", 11, "cd")));
    assertFalse(a.matches(new DeviceDigest("sha-256", "ab", 10, DeviceDigest.NO_CONFIG)));
    assertFalse(a.matches(null));
  }

  @Test
  void aMismatchNamesEachDifferingField() {
    String m = a.describeMismatch(new DeviceDigest("sha-256", "ff", 9, "cd"));
    assertEquals("state digest expected ab, got ff; state bytes expected 10, got 9", m);
    assertEquals("", a.describeMismatch(a));
  }

  @Test
  void fieldsAreValidated() {
    assertThrows(NullPointerException.class, () -> new DeviceDigest(null, "", 0, ""));
    assertThrows(IllegalArgumentException.class, () -> new DeviceDigest("x", "", -1, ""));
    assertThrows(IllegalArgumentException.class, () -> new PrecopyInfo(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ReadResult.Data(-1));
    assertEquals(7, new PrecopyInfo(3, 4).pendingBytes());
  }
}
