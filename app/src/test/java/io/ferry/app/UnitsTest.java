package io.ferry.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {

  @Test
  void sizesUseBinaryUnitsAsHoconDoes() {
    assertEquals(1L << 20, Units.parseSize("1MiB"));
    assertEquals(512L << 10, Units.parseSize("512KiB"));
    assertEquals(512L << 10, Units.parseSize("512 K"));
    assertEquals(3L << 29, Units.parseSize("1.5G"));
    assertEquals(4096, Units.parseSize("4096"));
    assertEquals(1_000_000, Units.parseSize("1MB"));
    assertEquals(2L << 40, Units.parseSize("2TiB"));
  }

  @Test
  void badSizesAreRejectedWithWhatWasExpected() {
    IllegalArgumentException unit =
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("12XB"));
    assertTrue(unit.getMessage().contains("unknown size unit 'XB'"), unit.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Units.parseSize("-1MiB"));
    assertThrows(IllegalArgumentException.class, () -> Units.parseSize("MiB"));
    assertThrows(IllegalArgumentException.class, () -> Units.parseSize("0.3B"));
    IllegalArgumentException big =
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("9000000TiB"));
    assertTrue(big.getMessage().contains("too large"), big.getMessage());
  }

  @Test
  void durationsDefaultToMilliseconds() {
    assertEquals(Duration.ofMillis(300), Units.parseDuration("300ms"));
    assertEquals(Duration.ofMillis(300), Units.parseDuration("300"));
    assertEquals(Duration.ofMillis(1500), Units.parseDuration("1.5 s"));
    assertEquals(Duration.ofMinutes(2), Units.parseDuration("2m"));
    assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("soon"));
    assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("5 fortnights"));
  }

  @Test
  void ratesTakeAnOptionalPerSecondAndZeroMeansUnlimited() {
    assertEquals(100L << 20, Units.parseRate("100MiB/s"));
    assertEquals(1L << 30, Units.parseRate("1 GiB"));
    assertEquals(0, Units.parseRate("0"));
    assertEquals("unlimited", Units.rate(0));
    assertEquals("100 MiB/s", Units.rate(100L << 20));
    assertThrows(IllegalArgumentException.class, () -> Units.parseRate("fast/s"));
  }

  @Test
  void bytesPrintWithThreeSignificantDigits() {
    assertEquals("512 B", Units.bytes(512));
    assertEquals("48.0 KiB", Units.bytes(48 << 10));
    assertEquals("2.00 GiB", Units.bytes(2L << 30));
    assertEquals("529 MiB", Units.bytes(554774539L));
    assertEquals("300 ms", Units.duration(Duration.ofMillis(300)));
    assertEquals("10.9 s", Units.duration(Duration.ofMillis(10_900)));
  }
}
