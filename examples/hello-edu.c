// SPDX-License-Identifier: MIT
/*
 * hello-edu: read the identification register of QEMU's edu device.
 *
 *   uldfctl bind 0000:00:03.0
 *   cc -o hello-edu hello-edu.c $(pkg-config --cflags --libs libuldf)
 *   ./hello-edu 0000:00:03.0
 */
#include <stdio.h>
#include <string.h>
#include <libuldf.h>

int main(int argc, char **argv)
{
	const char *bdf = argc > 1 ? argv[1] : "0000:00:03.0";
	struct uldf_dev *dev;
	uint32_t id;
	void *bar0;
	int ret;

	ret = uldf_open(bdf, &dev);
	if (!ret)
		ret = uldf_bar_map(dev, 0, 0, &bar0, NULL);
	if (ret) {
		fprintf(stderr, "%s: %s\n", bdf, strerror(-ret));
		return 1;
	}
	id = uldf_mmio_read32(bar0, 0x00);
	printf("%s: edu identification 0x%08x, version %u.%u\n", bdf, id,
	       id >> 24, (id >> 16) & 0xff);
	uldf_close(dev);
	return (id & 0xffff) == 0x00ed ? 0 : 1;
}
