/*
 * Sealed sender v1 against bytes captured from libsignal itself
 * (@signalapp/libsignal-client 0.103.0 and 0.72.1, node): a sender
 * certificate made by libsignal and a message libsignal sealed (inner
 * content a SenderKeyMessage, content hint 2, group id 0a0b0c). sotto must
 * validate the certificate and open the message with the recipient's key.
 */
#include <stdlib.h>
#include <string.h>

#include "sotto/sealed.h"
#include "sotto/sotto.h"
#include "testutil.h"

struct capture {
    const char *version;
    const char *trust_root;
    const char *recipient_priv;
    const char *sender_identity;
    const char *sender_cert;
    const char *content;
    const char *message;
};

static const struct capture CAPTURES[] = {
    {
        .version = "0.103.0",
        .trust_root = "05d1d7f3e0729d8c3a0660496068ca16f8db6d8e55de54df2e63c77d16430d0d0c",
        .recipient_priv = "d0e553aaa20a8e2a67737db766536f17986e24ec34e25339403d2f155e3b847a",
        .sender_identity = "0532d458f01e44144446bedee75d9c39a005afedd6ff1c55e0347b09f5ba716d19",
        .sender_cert = "0acd010a0c2b31343135323232323232321002190068e5cf8b01000022210532d458f01e441"
                       "44446bedee75d"
                       "9c39a005afedd6ff1c55e0347b09f5ba716d192a690a250801122105d8d6653061f717f340d"
                       "9cce2734bcc51"
                       "41588631135ea10362fb30d09679af391240efaf2957a8255db230fe584634d635c810ab47b"
                       "e2af21cbcba7e"
                       "728c510d7c71651e49902995ca832d4f4d4576a0b27555fffb41f3f74375988c96b2e3dd3c8"
                       "a322439643036"
                       "353261332d646363332d346431312d393735662d3734643631353938373333661240e37b99b"
                       "e9c57d8da080d"
                       "db419992125f41189a923a65ff902192d1fc6d60d0e32a19dae6e6a9df706272e1bcd0bf5f7"
                       "bdc95f339ed27"
                       "f9e3c23c8247cad29503",
        .content = "330a10d1d1d1d1700011ebb32a33b8a8a487a6109cd1de05180322102ae353551bc6e6d7d75df0f"
                   "5921e52a1"
                   "d04e6656ebbced070da31b30e377cb6f8080d1b96f4aa87970e2a7a0010d4d4d06e96cb1bfa3286"
                   "4b63f195f"
                   "67b0195745857ac6d921429639950fdf6d80b80a",
        .message = "110a2105f45b095ce89ba05f34daddbc784a31e0c19269af191dcca718ae65ae90239d44122b947"
                   "4f52c6b80"
                   "2b4acc3314f2153a045283cdb45d679e977f8a97b3556f7ccc65f4520ef3fa3878ada2d6331a960"
                   "33a0c60a1"
                   "63858c33b7e9574e35276112d32f2a1412d91342cc2b1fdd471ccce41e5a1c513b964cf29bbdd7b"
                   "2260b4a00"
                   "3684145e10ce1c06ac8becf56f508db9e149860e73b45c92c67978edf080a0dcec6a7c2947cfcc2"
                   "156ccf8ed"
                   "e615bf14bae3dd02882faaec0af491b9929e3a55451fc60d5d447b6b7356ccd9a4fb9053aeeb007"
                   "9abc7aebe"
                   "f160c0de11aee02137eaca97385108ec4869309b6b4055cea0f0e34d43b1319b0cde64e4dca395f"
                   "776f92665"
                   "509a1fe6a43a52eb807417a79f1f8d0f937a6a2375ba5a342af257ad7c4dd4d0c58043dc5602a85"
                   "ddb1fe6a2"
                   "6ee6443080592380e2cdeb07b35a362834aa9070468e5349d4112e56e9ca3523778fb3047868913"
                   "cad98c57a"
                   "6d79f8ab794deeaafbc44fa863ea2d1c88b9792b2854254717451d49ab62ea6ec10ff20785a13a4"
                   "31819aebe"
                   "5a146d9ead0da37bdac271e8454e19830bf7ce6cdf07729e572c5c1a1518f238754a3c7f10bdadd"
                   "951f9d983"
                   "07553bf0010aec3da8a7e05bbb022a51c13b2546b55045d17a8f1eb8e9142d8df1cb481182cbf79"
                   "4bef139ea"
                   "d86a979c2d88",
    },
    {
        .version = "0.72.1",
        .trust_root = "05090dca4e9956a0c0699e20a6bc057a47e32cf366994488ce69bfbd0e02c4d379",
        .recipient_priv = "d82a576501262dd2d1df6e1ef89c7cb3cc5739ea5776db057f2506f100f0087f",
        .sender_identity = "052af03688b6967f210378271977c465c9d25c15364a5aa5ce0d006efe0207e07d",
        .sender_cert = "0acd010a0c2b31343135323232323232321002190068e5cf8b0100002221052af03688b6967"
                       "f210378271977"
                       "c465c9d25c15364a5aa5ce0d006efe0207e07d2a690a250801122105057f521097f2f8502c5"
                       "c92ec56f0c9d8"
                       "76db8baa8384d39e31cc47dc3b27fb7212403a333f43b5fe460152fad55cd36e9f0ff633fc1"
                       "cbf20a1ac4e9a"
                       "c8415b404c14e96cd495bfdce57182ad505ceb54216467c1d0023cbf21deee0ba61dc3da1f8"
                       "7322439643036"
                       "353261332d646363332d346431312d393735662d37346436313539383733336612407191758"
                       "844088800163c"
                       "0355eefae31373299c517944d98d69432178cf23d5d2c8e443d958c9f0b4de733b7eb2614e3"
                       "ea15ff8d7391b"
                       "f8812d3fe651bc6a4384",
        .content = "330a10d1d1d1d1700011ebb32a33b8a8a487a610b9d3819205180322107418a4837882d4215aa01"
                   "fd01dcac2"
                   "f907fe4db8907b90f61f7dfe6a8adcf237171985022237788d221d231ada48274dd9718d9eb0f68"
                   "fdef1f318"
                   "3d6d0e0758b6d7f8f68248e9bd5149bcabc857f009",
        .message = "110a210537d4863c240a8b5894e72249349942ef4871ec02142331a0980d1c20e9aee96a122b16e"
                   "f4159d0da"
                   "531d1553153838ee343b28a96e119d51e12bc3348d89286105923e445c17deecab7c2b71561a970"
                   "3973cc6ba"
                   "191cf942a5668bff83fc55fd7b2be70c7f86f944f4861bb1827f24fd4990309f5503e8e0072c0a5"
                   "ab5b19ad2"
                   "f6f8a676d0f9ea0d71129c39cccfb14ad09cb4acab035cc4bff656eb371dc7ddaa50ecb670d28a5"
                   "64dc50bd3"
                   "e7d48af7049eb2b93f9782bc386c9fba7ed0db7c715456bdd88852aab7650f1a919f32e95bde93d"
                   "07f57bbb5"
                   "7f290793d1ef7175e27fa4bdc3c1ae59797ee5c7f9fd2341143138254fa66a65cdf9ff54502a428"
                   "6f9155fba"
                   "21c36401b263446a74193dd4cf41aa55ed6a40a0da464c5719eef56e31a043b0c979d590eabe3d9"
                   "704b7f060"
                   "2c74eeeda18955003842113acccf537e3620b76c6174df2090bec5ddc82c925c7b03b0e1f227665"
                   "8bb1ab545"
                   "805b9126a8e942698354aa9d89cd433fc1328a2b525c26a949ef80f7c6693a5da2c54f7cc9a34fe"
                   "355cf5014"
                   "c27a5dbb3c705ebbf89e3a5ed73fac00cb650da4724aa4440e6f2d0c0c65a3ece4863de035bbf28"
                   "5169db197"
                   "3457fcf45c4faf26f7ac7f5fefd7d5210347fba8a25064fcc0f5bcf873b70b5f805d3656adcbfbc"
                   "dc6d1153e"
                   "49d497e21af0ab",
    },
};

static const uint64_t EXPIRES = 1700000000000ull;

struct bytes {
    uint8_t *b;
    size_t n;
};

static struct bytes B(const char *hex) {
    struct bytes x;
    x.b = t_unhex(hex, &x.n);
    return x;
}

static void
run(const struct capture *c)
{
    struct bytes root = B(c->trust_root), priv = B(c->recipient_priv), id = B(c->sender_identity);
    struct bytes cert = B(c->sender_cert), content = B(c->content), msg = B(c->message);
    struct sotto_sender_cert sc;
    struct sotto_sealed_result r;

    printf("libsignal %s\n", c->version);
    CHECK_OK(sotto_sender_cert_parse(&sc, cert.b, cert.n));
    CHECK(strcmp(sc.uuid, "9d0652a3-dcc3-4d11-975f-74d61598733f") == 0 && sc.device == 2);
    CHECK(sc.has_e164 && strcmp(sc.e164, "+14152222222") == 0 && sc.expires == EXPIRES);
    CHECK(sc.server_key_id == 1 && memcmp(sc.identity_key, id.b, 33) == 0);
    CHECK_OK(sotto_sender_cert_validate(cert.b, cert.n, root.b, 1, EXPIRES));
    CHECK(sotto_sender_cert_validate(cert.b, cert.n, root.b, 1, EXPIRES + 1) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);

    CHECK(msg.b[0] == 0x11);
    CHECK_OK(sotto_sealed_decrypt(&r, priv.b, root.b, 1, EXPIRES - 1, NULL, 0, msg.b, msg.n));
    CHECK(r.msg_type == SOTTO_SEALED_SENDERKEY && r.content_hint == 2);
    CHECK(r.group_id_len == 3 && memcmp(r.group_id, "\x0a\x0b\x0c", 3) == 0);
    CHECK(r.content_len == content.n && memcmp(r.content, content.b, content.n) == 0);
    CHECK(strcmp(r.sender.uuid, sc.uuid) == 0 && r.sender.device == 2);
    sotto_sealed_result_free(&r);
    /* Only the recipient can open it, and not after the certificate expired. */
    CHECK(sotto_sealed_decrypt(&r, root.b, root.b, 1, EXPIRES, NULL, 0, msg.b, msg.n) != SOTTO_OK);
    CHECK(sotto_sealed_decrypt(&r, priv.b, root.b, 1, EXPIRES + 1, NULL, 0, msg.b, msg.n) ==
          SOTTO_ERR_UNTRUSTED_IDENTITY);
    free(root.b);
    free(priv.b);
    free(id.b);
    free(cert.b);
    free(content.b);
    free(msg.b);
}

int main(void)
{
    t_init();
    for (size_t i = 0; i < sizeof CAPTURES / sizeof CAPTURES[0]; i++)
        run(&CAPTURES[i]);
    return t_done();
}
