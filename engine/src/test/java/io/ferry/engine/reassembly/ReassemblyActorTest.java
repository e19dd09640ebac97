package io.ferry.engine.reassembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.util.ByteString;
import io.ferry.engine.device.DeviceMigration;
import io.ferry.engine.device.DeviceMigration.LoadChunk;
import io.ferry.protocol.codec.DeviceStateChunkCodec;
import io.ferry.protocol.packet.DeviceStateChunk;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReassemblyActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  private record Fixture(
      ActorRef<ReassemblyActor.Command> actor,
      TestProbe<DeviceMigration.LoadCommand> loader,
      TestProbe<ReassemblyActor.Event> owner) {}

  private static Fixture spawn(long cap) {
    TestProbe<DeviceMigration.LoadCommand> loader = testKit.createTestProbe();
    TestProbe<ReassemblyActor.Event> owner = testKit.createTestProbe();
    ActorRef<ReassemblyActor.Command> actor =
        testKit.spawn(ReassemblyActor.create("dev0", cap, loader.getRef(), owner.getRef()));
    return new Fixture(actor, loader, owner);
  }

  private static ReassemblyActor.ChunkReceived data(long index) {
    return new ReassemblyActor.ChunkReceived(0, DeviceStateChunkCodec.encode(
        DeviceStateChunk.data(index, ByteString.fromString("d" + index))));
  }

  private static ReassemblyActor.ChunkReceived config(long index) {
    return new ReassemblyActor.ChunkReceived(1, DeviceStateChunkCodec.encode(
        DeviceStateChunk.config(index, ByteString.fromString("cfg"))));
  }

  private static void loaded(Fixture f, LoadChunk c) {
    c.replyTo().tell(new DeviceMigration.ChunkLoaded("dev0", c.index(), c.data().size()));
  }

  @Test
  void nothingIsReleasedBeforeSwitchoverStart() {
    Fixture f = spawn(1 << 20);
    f.actor().tell(data(0));
    f.actor().tell(data(1));
    f.actor().tell(config(2));
    f.loader().expectNoMessage(Duration.ofMillis(200));
    f.actor().tell(ReassemblyActor.SwitchoverStart.INSTANCE);
    LoadChunk c0 = f.loader().expectMessageClass(LoadChunk.class);
    assertEquals(0, c0.index());
  }

  @Test
  void outOfOrderChunksAreLoadedInOrderWithTheConfigLast() {
    Fixture f = spawn(1 << 20);
    f.actor().tell(ReassemblyActor.SwitchoverStart.INSTANCE);
    f.actor().tell(config(3));
    f.actor().tell(data(2));
    f.actor().tell(data(1));
    f.loader().expectNoMessage(Duration.ofMillis(100));
    f.actor().tell(data(0));
    for (long i = 0; i <= 3; i++) {
      LoadChunk c = f.loader().expectMessageClass(LoadChunk.class);
      assertEquals(i, c.index());
      assertEquals(i == 3, c.config());
      loaded(f, c);
    }
    ReassemblyActor.DeviceLoaded done = f.owner().expectMessageClass(
        ReassemblyActor.DeviceLoaded.class);
    assertEquals(4, done.chunks());
  }

  @Test
  void aDuplicateIndexFailsTheDeviceNamingTheIndex() {
    Fixture f = spawn(1 << 20);
    f.actor().tell(data(0));
    f.actor().tell(data(0));
    f.owner().expectMessage(new ReassemblyActor.ReassemblyFailed("dev0",
        "dev0: chunk 0: duplicate index (already received; next expected 0)"));
  }

  @Test
  void aSourceSendingBeyondItsCreditIsCutOff() {
    // The window equals the cap: one 14-byte chunk (cost 110) fits in 196, a second does not.
    Fixture f = spawn(2L * (ReassemblyBuffer.PER_CHUNK_OVERHEAD + 2));
    f.actor().tell(data(1));
    f.actor().tell(data(2));
    f.owner().expectMessage(new ReassemblyActor.ReassemblyFailed("dev0", "dev0: source sent "
        + "beyond its credit: expected at most 196 credit bytes received, got 220 (window 196)"));
  }

  @Test
  void loadedChunksAreGrantedBackOnceIdle() {
    Fixture f = spawn(1 << 20);
    f.actor().tell(ReassemblyActor.SwitchoverStart.INSTANCE);
    f.actor().tell(data(0));
    LoadChunk c0 = f.loader().expectMessageClass(LoadChunk.class);
    loaded(f, c0);
    // 14 bytes of payload + 96 overhead, granted back as soon as nothing else is left to load.
    f.owner().expectMessage(new ReassemblyActor.CreditGranted("dev0", 110));
  }

  @Test
  void drainedChannelsWithAMissingChunkFailInsteadOfWaitingForever() {
    Fixture f = spawn(1 << 20);
    f.actor().tell(ReassemblyActor.SwitchoverStart.INSTANCE);
    f.actor().tell(data(1));
    f.actor().tell(config(2));
    f.actor().tell(ReassemblyActor.ChannelsDrained.INSTANCE);
    ReassemblyActor.ReassemblyFailed failed =
        f.owner().expectMessageClass(ReassemblyActor.ReassemblyFailed.class);
    assertEquals("dev0: chunk 0 never arrived: expected indexes 0..2, got 2 of 3; every multifd "
        + "channel has ended", failed.reason());
  }

  @Test
  void aCorruptChunkHeaderFailsTheDevice() {
    Fixture f = spawn(1 << 20);
    ByteString bad = new akka.util.ByteStringBuilder()
        .putInt(0, java.nio.ByteOrder.BIG_ENDIAN)
        .putInt(0, java.nio.ByteOrder.BIG_ENDIAN)
        .putInt(0x80, java.nio.ByteOrder.BIG_ENDIAN)
        .putByte((byte) 1)
        .result();
    f.actor().tell(new ReassemblyActor.ChunkReceived(0, bad));
    ReassemblyActor.ReassemblyFailed failed =
        f.owner().expectMessageClass(ReassemblyActor.ReassemblyFailed.class);
    assertTrue(failed.reason().contains("dev0"), failed.reason());
  }

  @Test
  void aLoaderFailureWhileWaitingIsReportedOnce() {
    Fixture f = spawn(1 << 20);
    f.actor().tell(ReassemblyActor.SwitchoverStart.INSTANCE);
    f.actor().tell(data(0));
    LoadChunk c = f.loader().expectMessageClass(LoadChunk.class);
    c.replyTo().tell(new DeviceMigration.LoadFailed("dev0", "load chunk 0", "EIO"));
    f.owner().expectMessage(new ReassemblyActor.ReassemblyFailed("dev0", "EIO"));
    f.actor().tell(data(1));
    f.owner().expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void stoppingTheActorWhileTheLoaderWaitsReleasesNothingMore() {
    Fixture f = spawn(1 << 20);
    f.actor().tell(ReassemblyActor.SwitchoverStart.INSTANCE);
    f.actor().tell(data(0));
    f.actor().tell(data(1));
    f.actor().tell(data(2));
    LoadChunk c0 = f.loader().expectMessageClass(LoadChunk.class);
    f.loader().expectMessageClass(LoadChunk.class);
    testKit.stop(f.actor());
    loaded(f, c0);
    f.loader().expectNoMessage(Duration.ofMillis(200));
    f.owner().expectNoMessage(Duration.ofMillis(50));
  }
}
