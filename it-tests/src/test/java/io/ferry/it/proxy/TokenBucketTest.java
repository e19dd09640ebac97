package io.ferry.it.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pacing arithmetic of {@link Fault#slow(long)} on a made-up clock, so it is exact. */
class TokenBucketTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void anEmptyBucketMakesTheFirstBytesWaitForTheirShareOfTheRate() {
    TokenBucket bucket = new TokenBucket(1_000, 50, 0);

    assertEquals(100 * MS, bucket.reserve(100, 0));
  }

  @Test
  void waitingOutTheReturnedTimePaysExactlyForTheReservation() {
    TokenBucket bucket = new TokenBucket(1_000, 50, 0);

    long first = bucket.reserve(100, 0);
    long second = bucket.reserve(100, first);

    assertEquals(100 * MS, second);
  }

  @Test
  void oversleepingIsForgivenSoTheAverageRateHolds() {
    TokenBucket bucket = new TokenBucket(1_000, 50, 0);

    long first = bucket.reserve(100, 0);
    long wokeLate = first + 30 * MS;
    long second = bucket.reserve(100, wokeLate);

    assertEquals(200 * MS, wokeLate + second, "200 bytes at 1000 B/s end at 200 ms");
  }

  @Test
  void idleTimeBuildsUpNoMoreThanTheCapacity() {
    TokenBucket bucket = new TokenBucket(1_000, 50, 0);

    long tenSecondsLater = 10_000 * MS;

    assertEquals(0, bucket.reserve(50, tenSecondsLater));
    assertEquals(10 * MS, bucket.reserve(10, tenSecondsLater));
  }

  @Test
  void manySmallReservationsAddUpToTheConfiguredRate() {
    TokenBucket bucket = new TokenBucket(2 << 20, 100_000, 0);
    long now = 0;
    long sent = 0;

    while (sent < 4 << 20) {
      now += bucket.reserve(40_000, now);
      sent += 40_000;
    }

    double seconds = now / 1e9;
    assertEquals(sent / (double) (2 << 20), seconds, 1e-6);
  }

  @Test
  void rejectsRatesAndCapacitiesThatCannotPaceAnything() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 1, 0).reserve(-1, 0));
  }

  @Test
  void pacingWritesTwentyMillisecondsAtATimeAndForgivesFiftyMilliseconds() {
    assertEquals(20_000, ProxiedConnection.pacingChunk(1_000_000));
    assertEquals(50_000, ProxiedConnection.pacingCapacity(1_000_000));
    assertEquals(1, ProxiedConnection.pacingChunk(10));
    assertEquals(ProxiedConnection.BUFFER_SIZE, ProxiedConnection.pacingChunk(1_000_000_000));
  }
}
