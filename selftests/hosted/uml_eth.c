// SPDX-License-Identifier: GPL-2.0
/*
 * uml_eth: move a file between two Ethernet ports in raw frames, for the
 * hosted-guest tests of network functions (a NIC passed through to the
 * User-Mode Linux guest, and a NIC of the testbed on the same isolated
 * QEMU hub).  No IP: AF_PACKET frames of the local experimental EtherType
 * 0x88b5, between two fixed MAC addresses.
 *
 *   uml_eth send IFACE PEER STREAM FILE SECONDS
 *   uml_eth recv IFACE PEER STREAM FILE SECONDS
 *
 * "send" sends FILE to the port with MAC address PEER; "recv" takes what
 * PEER sends and writes it to FILE.  Go-back-N with cumulative
 * acknowledgements, a window of 16 frames of up to 1400 bytes of data:
 * a frame lost or damaged (each carries a CRC-32 of its data) is sent
 * again, so what arrives is the whole file or nothing.  STREAM (1-255)
 * keeps two transfers on one link apart.  Both wait up to SECONDS for
 * IFACE's carrier and then for the whole transfer.  Frames from any
 * other address are ignored and counted.  Each prints one line:
 *
 *   sent BYTES bytes in FRAMES frames, RESENT resent
 *   received BYTES bytes sha256 HEX, IGNORED ignored
 *
 * and exits 0 on success.  A system call is slow in the guest under
 * emulation; the loops make few of them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#define ETHERTYPE	0x88b5
#define MAGIC		0x554c4446u	/* "ULDF" */
#define PAYLOAD		1400
#define WINDOW		16
#define RTO_MS		300
#define MAX_LEN		(64u << 20)

enum { DATA = 1, ACK = 2 };

struct hdr {
	uint32_t magic;
	uint8_t type;
	uint8_t stream;
	uint16_t len;		/* data bytes in this frame */
	uint32_t seq;		/* DATA: frame number; ACK: next expected */
	uint32_t frames;	/* frames in the file */
	uint32_t size;		/* bytes in the file */
	uint32_t crc;		/* CRC-32 of the data */
} __attribute__((packed));

struct frame {
	struct hdr h;
	uint8_t data[PAYLOAD];
} __attribute__((packed));

static int sock;
static struct sockaddr_ll peer;
static unsigned int stream;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "uml_eth: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffff;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

/* Wait for IFACE's carrier (the NIC's link up), then open the socket. */
static void open_port(const char *ifname, const char *mac, double deadline)
{
	char path[128], c = '0';
	struct sockaddr_ll me = { 0 };
	int fd, rcvbuf = 4 << 20;

	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", ifname);
	for (;;) {
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			if (read(fd, &c, 1) != 1)
				c = '0';
			close(fd);
		}
		if (c == '1')
			break;
		if (now() > deadline) {
			fprintf(stderr, "uml_eth: %s: no carrier\n", ifname);
			exit(1);
		}
		usleep(100000);
	}

	sock = socket(AF_PACKET, SOCK_DGRAM, htons(ETHERTYPE));
	if (sock < 0)
		die("socket");
	setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	me.sll_family = AF_PACKET;
	me.sll_protocol = htons(ETHERTYPE);
	me.sll_ifindex = if_nametoindex(ifname);
	if (!me.sll_ifindex)
		die(ifname);
	if (bind(sock, (struct sockaddr *)&me, sizeof(me)))
		die("bind");
	peer = me;
	peer.sll_halen = 6;
	if (parse_mac(mac, peer.sll_addr)) {
		fprintf(stderr, "uml_eth: bad MAC address %s\n", mac);
		exit(2);
	}
}

static void put(struct frame *f, unsigned int type, uint32_t seq,
		uint32_t frames, uint32_t size, const uint8_t *data, size_t len)
{
	f->h.magic = htonl(MAGIC);
	f->h.type = type;
	f->h.stream = stream;
	f->h.len = htons(len);
	f->h.seq = htonl(seq);
	f->h.frames = htonl(frames);
	f->h.size = htonl(size);
	f->h.crc = htonl(crc32(data, len));
	memcpy(f->data, data, len);
	if (sendto(sock, f, sizeof(f->h) + len, 0, (struct sockaddr *)&peer,
		   sizeof(peer)) < 0 && errno != ENOBUFS)
		die("sendto");
}

/*
 * Receive one frame of ours within MS milliseconds: its length, 0 on a
 * timeout.  Frames from elsewhere (our own outgoing ones included), of
 * another stream or damaged count in *ignored.
 */
static int get(struct frame *f, int ms, unsigned long *ignored)
{
	double end = now() + ms / 1000.0;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		int left = (end - now()) * 1000;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return 0;
		fl = sizeof(from);
		n = recvfrom(sock, f, sizeof(*f), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0)
			die("recvfrom");
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    memcmp(from.sll_addr, peer.sll_addr, 6) ||
		    n < (ssize_t)sizeof(f->h) || ntohl(f->h.magic) != MAGIC ||
		    f->h.stream != stream ||
		    ntohs(f->h.len) > n - sizeof(f->h) ||
		    crc32(f->data, ntohs(f->h.len)) != ntohl(f->h.crc)) {
			(*ignored)++;
			continue;
		}
		return n;
	}
}

static int do_send(const char *file, double deadline)
{
	static struct frame f;
	unsigned long ignored = 0, resent = 0;
	uint32_t base = 0, next = 0, frames, size;
	uint8_t *buf;
	struct stat st;
	double sent_at = 0;
	int fd;

	fd = open(file, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die(file);
	if (st.st_size > MAX_LEN) {
		fprintf(stderr, "uml_eth: %s: too large\n", file);
		return 2;
	}
	size = st.st_size;
	buf = malloc(size + 1);
	if (!buf || read(fd, buf, size) != (ssize_t)size)
		die(file);
	close(fd);
	frames = (size + PAYLOAD - 1) / PAYLOAD;

	while (base < frames) {
		while (next < frames && next < base + WINDOW) {
			uint32_t off = next * PAYLOAD;
			uint32_t len = size - off < PAYLOAD ? size - off : PAYLOAD;

			put(&f, DATA, next, frames, size, buf + off, len);
			next++;
			sent_at = now();
		}
		if (get(&f, RTO_MS, &ignored) && f.h.type == ACK) {
			uint32_t ack = ntohl(f.h.seq);

			if (ack > base && ack <= next)
				base = ack;
			continue;
		}
		if (now() - sent_at < RTO_MS / 1000.0)
			continue;
		if (now() > deadline) {
			fprintf(stderr, "uml_eth: send: timed out at frame %u of %u\n",
				base, frames);
			return 1;
		}
		resent += next - base;
		next = base;	/* go back */
	}
	printf("sent %u bytes in %u frames, %lu resent\n", size, frames, resent);
	return 0;
}

static int do_recv(const char *file, double deadline)
{
	static struct frame f, a;
	unsigned long ignored = 0;
	uint32_t next = 0, frames = 0, size = 0;
	uint8_t *buf = NULL, md[32];
	unsigned int mdlen, i;
	double done_at = 0;
	int fd;

	for (;;) {
		double t = now();
		int ms;

		if (done_at && t > done_at + 1.0)
			break;	/* acknowledged the end a while ago */
		if (!done_at && t > deadline) {
			fprintf(stderr, "uml_eth: recv: timed out at frame %u of %u\n",
				next, frames);
			return 1;
		}
		ms = done_at ? 200 : 1000;
		if (!get(&f, ms, &ignored) || f.h.type != DATA)
			continue;
		if (!buf) {
			frames = ntohl(f.h.frames);
			size = ntohl(f.h.size);
			if (size > MAX_LEN || frames != (size + PAYLOAD - 1) / PAYLOAD) {
				ignored++;
				continue;
			}
			buf = malloc(size + 1);
			if (!buf)
				die("malloc");
		}
		if (ntohl(f.h.seq) == next && next < frames &&
		    ntohs(f.h.len) == (size - next * PAYLOAD < PAYLOAD ?
				       size - next * PAYLOAD : PAYLOAD)) {
			memcpy(buf + next * PAYLOAD, f.data, ntohs(f.h.len));
			next++;
			if (next == frames)
				done_at = now();
		}
		put(&a, ACK, next, frames, size, NULL, 0);
	}

	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, size) != (ssize_t)size || close(fd))
		die(file);
	EVP_Digest(buf, size, md, &mdlen, EVP_sha256(), NULL);
	printf("received %u bytes sha256 ", size);
	for (i = 0; i < mdlen; i++)
		printf("%02x", md[i]);
	printf(", %lu ignored\n", ignored);
	return 0;
}

int main(int argc, char **argv)
{
	double deadline;

	if (argc != 7 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv"))) {
		fprintf(stderr, "usage: uml_eth send|recv IFACE PEER STREAM FILE SECONDS\n");
		return 2;
	}
	stream = atoi(argv[4]);
	if (stream < 1 || stream > 255) {
		fprintf(stderr, "uml_eth: STREAM is 1 to 255\n");
		return 2;
	}
	deadline = now() + atof(argv[6]);
	open_port(argv[2], argv[3], deadline);
	if (!strcmp(argv[1], "send"))
		return do_send(argv[5], deadline);
	return do_recv(argv[5], deadline);
}
