package org.medcnn.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Walking through symbolic links: linked folders are entered, loops and dangling links are named and skipped. */
class FileTreesTest {

	@TempDir
	Path dir;

	@Test
	void testLinkToAFolderIsEntered() throws IOException {
		Path real = Files.createDirectories(dir.resolve("store/case1"));
		Files.writeString(real.resolve("a.dcm"), "a");
		Files.writeString(real.resolve("b.dcm"), "b");
		Path link = Files.createSymbolicLink(dir.resolve("link"), real);
		List<FileTrees.NotFollowed> notFollowed = new ArrayList<>();
		assertEquals(List.of(link.resolve("a.dcm"), link.resolve("b.dcm")), FileTrees.regularFiles(link, notFollowed));
		assertTrue(notFollowed.isEmpty(), notFollowed.toString());
	}

	@Test
	void testFolderOfLinkedFoldersIsEnteredAndAFileReachedTwiceIsListedOnce() throws IOException {
		Path store = Files.createDirectories(dir.resolve("store"));
		Files.writeString(Files.createDirectories(store.resolve("c1")).resolve("x.dcm"), "1");
		Files.writeString(Files.createDirectories(store.resolve("c2")).resolve("y.dcm"), "2");
		Path train = Files.createDirectories(dir.resolve("train"));
		Files.createSymbolicLink(train.resolve("c1"), store.resolve("c1"));
		Files.createSymbolicLink(train.resolve("c2"), store.resolve("c2"));
		// the same case linked twice: one file, listed under the first name in sorted order
		Files.createSymbolicLink(train.resolve("c3"), store.resolve("c2"));
		List<FileTrees.NotFollowed> notFollowed = new ArrayList<>();
		assertEquals(List.of(train.resolve("c1/x.dcm"), train.resolve("c2/y.dcm")), FileTrees.regularFiles(train, notFollowed));
		assertTrue(notFollowed.isEmpty(), notFollowed.toString());
	}

	@Test
	void testLoopIsNamedAndSkippedWithoutHanging() throws IOException {
		Path root = Files.createDirectories(dir.resolve("data/case1"));
		Files.writeString(root.resolve("a.dcm"), "a");
		Path loop = Files.createSymbolicLink(root.resolve("up"), Path.of(".."));
		List<FileTrees.NotFollowed> notFollowed = new ArrayList<>();
		List<Path> files = assertTimeoutPreemptively(Duration.ofSeconds(20),
			() -> FileTrees.regularFiles(dir.resolve("data"), notFollowed));
		assertEquals(List.of(root.resolve("a.dcm")), files);
		assertEquals(1, notFollowed.size(), notFollowed.toString());
		assertEquals(loop, notFollowed.get(0).path());
		String why = notFollowed.get(0).toString();
		assertTrue(why.contains(loop.toString()) && why.contains("loop") && why.contains(dir.resolve("data").toRealPath().toString()),
			why);
	}

	@Test
	void testDanglingLinkIsNamed() throws IOException {
		Path root = Files.createDirectories(dir.resolve("data"));
		Files.writeString(root.resolve("a.dcm"), "a");
		Path broken = Files.createSymbolicLink(root.resolve("gone"), dir.resolve("nowhere"));
		List<FileTrees.NotFollowed> notFollowed = new ArrayList<>();
		assertEquals(List.of(root.resolve("a.dcm")), FileTrees.regularFiles(root, notFollowed));
		assertEquals(1, notFollowed.size());
		assertEquals(broken, notFollowed.get(0).path());
		assertTrue(notFollowed.get(0).reason().contains("does not exist"), notFollowed.get(0).reason());
	}

	@Test
	void testLoopEntryIsAnEntryLinkingToItsOwnFolderOrAbove() throws IOException {
		Path images = Files.createDirectories(dir.resolve("images"));
		Path real = Files.createDirectories(images.resolve("real"));
		Path series = Files.createSymbolicLink(images.resolve("linked"), real);
		Path self = Files.createSymbolicLink(images.resolve("self"), Path.of("."));
		Path above = Files.createSymbolicLink(images.resolve("above"), dir);
		assertNull(FileTrees.loopEntry(real));
		assertNull(FileTrees.loopEntry(series));
		String m = FileTrees.loopEntry(self);
		assertTrue(m != null && m.startsWith(self.toString()) && m.contains("loop"), m);
		assertTrue(FileTrees.loopEntry(above) != null);
	}
}
