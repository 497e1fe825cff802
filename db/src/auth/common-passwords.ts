/**
 * Passwords that top every leaked-password list (and this project's own placeholders), lower-cased.
 * A password is refused when it, or what is left of it without leading and trailing digits and
 * symbols ("Password123!" → "password"), is one of them. Shipped in the code: nothing is fetched
 * at run time. 444 entries.
 */
const LIST = `
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball
abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890
michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan
jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000
charlie robert thomas hockey ranger daniel starwars 112233 george computer michelle jessica
pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger
princess joshua cheese amanda summer love ashley nicole chelsea matthew access yankees 987654321
dallas austin thunder taylor matrix mobilemail mom monitor monitoring montana moon moscow
william corvette hello martin heather secret merlin diamond 1234qwer hammer silver 222222
88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter orange 11111 golfer
cookie richard samantha bigdog guitar jackson whatever mickey chicken sparky snoopy maverick
phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea smokey steelers joseph
mercedes dakota arsenal eagles melissa boomer booboo spider nascar monster tigers yellow xxxxxx
123123123 gateway marina diablo bulldog qwer1234 compaq purple banana junior hannah 123654
porsche lakers iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000
miller boston q1w2e3r4 brandon yamaha chester mother forever johnny edward 333333 oliver redsox
player nikita knight fender barney midnight please brandy chicago badboy slayer rangers charles
angel flower bigdaddy rabbit wizard jasper enter rachel chris steven winner adidas victoria
natasha 1q2w3e4r jasmine winter prince marine fishing cocacola casper james 232323 raiders
888888 marlboro gandalf asdfasdf crystal 87654321 12344321 golden 8675309 qwerty123 qwerty1234
qwertyuiop123 password1 password12 password123 password1234 password12345 passw0rd p@ssw0rd
p@ssword pa55word passwordpassword letmein123 welcome1 welcome123 welcome2024 admin admin123
admin1234 administrator root toor changeme changeit default guest login qazwsxedc 1qaz2wsx3edc
zaq12wsx zaq1zaq1 asdfghjkl asdfghjkl123 zxcvbnm123 iloveyou123 abcdef abcdefg abcdefgh abcd1234
abc12345 a1b2c3d4 aa123456 123abc 123456a a123456 111111111 1111111111 0987654321 123456789a
1234567890a 12345678910 123456789012 12121212 11223344 1122334455 112233445566 123123123123
qweasdzxc qweqweqwe asd123 azerty azertyuiop starwars1 football1 baseball1 superman1 batman123
dragon123 monkey123 sunshine1 princess1 shadow123 master123 michael1 charlie1 jordan23 letmein1
whatever1 freedom1 secret123 hello123 helloworld hello1234 loveyou lovely iloveu myspace1
myspace facebook google linkedin twitter youtube minecraft pokemon naruto blink182 metallica
liverpool chelsea1 manchester manutd barcelona realmadrid juventus qwerty12 qwerty11 qwertyu
qwertz qwertzuiop unknown nothing secure security osprey ospreyadmin osprey123 osprey1234
ospreypassword dashboard monitoring123 machinelearning datascience tensorflow pytorch clickhouse
kubernetes docker postgres mysql oracle sysadmin superuser supervisor service server database
company business office work summer2024 summer2025 summer2026 winter2024 winter2025 winter2026
spring2025 autumn2025 january february march april june july august september october november
december monday friday sunday correcthorsebatterystaple changemenow changeme123 changemeplease
change-me-to-something-long thisismypassword mypassword mypassword123 yourpassword newpassword
newpassword123 oldpassword temppassword temporary letmeinnow opensesame iamtheadmin
administrator1 passphrase trustme whoami nopassword donotuse test1234 test12345 testtest testing
testing123 demo demo1234 example sample username user1234
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter(Boolean));
