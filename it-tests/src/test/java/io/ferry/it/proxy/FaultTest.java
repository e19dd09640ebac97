package io.ferry.it.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultTest {

  @Test
  void factoriesRejectValuesThatCouldNeverDescribeARealFault() {
    assertThrows(IllegalArgumentException.class, () -> Fault.cutAfter(-1));
    assertThrows(IllegalArgumentException.class, () -> Fault.resetAfter(-1));
    assertThrows(IllegalArgumentException.class, () -> Fault.stallAfter(-1));
    assertThrows(IllegalArgumentException.class, () -> Fault.slow(0));
    assertThrows(IllegalArgumentException.class, () -> Fault.corruptByteAt(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> Fault.corruptByteAt(0, 0));
    assertThrows(IllegalArgumentException.class, () -> Fault.corruptByteAt(0, 0x100));
    assertThrows(IllegalArgumentException.class, () -> Fault.delayStart(Duration.ofMillis(-1)));
    assertThrows(NullPointerException.class, () -> Fault.none().inDirection(null));
  }

  @Test
  void faultsAreValuesThatDifferInAnyField() {
    assertEquals(Fault.cutAfter(5), Fault.cutAfter(5));
    assertEquals(Fault.cutAfter(5).hashCode(), Fault.cutAfter(5).hashCode());
    assertNotEquals(Fault.cutAfter(5), Fault.resetAfter(5));
    assertNotEquals(Fault.cutAfter(5), Fault.cutAfter(6));
    assertNotEquals(Fault.cutAfter(5), Fault.cutAfter(5).inDirection(Direction.TARGET_TO_CLIENT));
    assertNotEquals(Fault.cutAfter(5), Fault.cutAfter(5).withStartDelay(Duration.ofMillis(1)));
    assertNotEquals(Fault.corruptByteAt(5, 1), Fault.corruptByteAt(5, 2));
  }

  @Test
  void accessorsExposeOnlyTheFieldsTheKindUses() {
    Fault slow = Fault.slow(1_000);
    Fault corrupt = Fault.corruptByteAt(7, 0x80);

    assertEquals(1_000, slow.bytesPerSecond());
    assertEquals(0, slow.offset());
    assertEquals(7, corrupt.offset());
    assertEquals(0x80, corrupt.xorMask());
    assertEquals(0, corrupt.bytesPerSecond());
    assertEquals(Direction.CLIENT_TO_TARGET, corrupt.direction());
    assertEquals(Duration.ZERO, corrupt.startDelay());
  }

  @Test
  void toStringReadsLikeTheCallThatBuiltIt() {
    assertEquals("none()", Fault.none().toString());
    assertEquals("corruptByteAt(7, 0x5a)", Fault.corruptByteAt(7, 0x5A).toString());
    assertEquals(
        "stallAfter(10).inDirection(TARGET_TO_CLIENT).withStartDelay(PT0.2S)",
        Fault.stallAfter(10)
            .inDirection(Direction.TARGET_TO_CLIENT)
            .withStartDelay(Duration.ofMillis(200))
            .toString());
  }
}
